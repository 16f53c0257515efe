/**
 * Where the shipped models live: `<assets>/models/<name>` (assets/models/prototype, age-cgan, ...).
 * Hosts that know their assets folder pass it (the CLI and the engine: beside their bundle);
 * otherwise it is the package's own assets/, found from this file's location (the source tree
 * under tests and tools, dist/ in a bundle), never from the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const PACKAGE_NAME = 'face-aging-studio';

let cachedRoot: string | null | undefined;

/** The folder of this package's package.json (null when none is found above this file). */
export function packageRoot(): string | null {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  cachedRoot = null;
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
          cachedRoot = dir;
          break;
        }
      } catch {
        // not ours; keep climbing
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return cachedRoot;
}

/** `<assetsDir>/models/<name>`; without assetsDir, the package's assets folder. */
export function shippedModelDir(name: string, assetsDir?: string | null): string {
  const assets = assetsDir ? path.resolve(assetsDir) : path.join(packageRoot() ?? process.cwd(), 'assets');
  return path.join(assets, 'models', name);
}

/** The shipped prototype folder when it is there (it has a meta.json), else null. */
export function shippedPrototypeDir(assetsDir?: string | null): string | null {
  const dir = shippedModelDir('prototype', assetsDir);
  return existsSync(path.join(dir, 'meta.json')) ? dir : null;
}
