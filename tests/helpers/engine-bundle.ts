/** Test helper: bundles the engine worker like scripts/build.mjs does, into a fresh .tmp folder. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/**
 * The folder is inside the repo (.tmp/ is git-ignored) so the bundle's externals
 * (@tensorflow/*, face-api, sharp) resolve from node_modules when the engine process starts.
 */
export async function bundleEngine(
  prefix: string,
  /** Further worker entries bundled the same way, e.g. { 'train-child.cjs': 'main/engine/ops/train-child.ts' }. */
  extra: Record<string, string> = {},
): Promise<{ dir: string; enginePath: string }> {
  mkdirSync(resolve('.tmp'), { recursive: true });
  const dir = mkdtempSync(resolve('.tmp', `${prefix}-`));
  const enginePath = join(dir, 'engine.cjs');
  const entries: Record<string, string> = { 'engine.cjs': 'main/engine/worker.ts', ...extra };
  await Promise.all(
    Object.entries(entries).map(([out, entry]) =>
      build({
        entryPoints: [entry],
        outfile: join(dir, out),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        // The same externals as scripts/build.mjs: native modules and packages that load files at run time.
        external: ['@tensorflow/*', '@vladmandic/face-api', 'sharp', '@img/*', 'better-sqlite3'],
        logLevel: 'silent',
      }),
    ),
  );
  return { dir, enginePath };
}
