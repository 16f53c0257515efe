/** The app's own version, read from package.json at build time (esbuild inlines the JSON). */
import pkg from '../../package.json';

export const APP_VERSION: string = pkg.version;
export const APP_NAME: string = pkg.productName ?? pkg.name;
