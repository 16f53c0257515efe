/** The app's own version and name, read from package.json at build time (esbuild inlines the two fields). */
import { name, productName, version } from '../../package.json';

export const APP_VERSION: string = version;
export const APP_NAME: string = productName ?? name;
