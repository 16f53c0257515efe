/**
 * Seeds a studio library folder, before the host opens it, with a tiny real CycleGAN base
 * (tests/e2e/tiny-base-entry.ts, bundled here and run by Node: the model code's backend loader
 * does not load under Playwright's TypeScript transform).
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export async function seedTinyBase(dir: string, resolution: number): Promise<void> {
  const script = join(dir, 'tiny-base.cjs');
  await build({
    entryPoints: [resolve('tests/e2e/tiny-base-entry.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3', 'sharp', '@img/*', '@tensorflow/*', '@vladmandic/face-api'],
    logLevel: 'error',
    logOverride: { 'empty-import-meta': 'silent' },
  });
  execFileSync(process.execPath, [script, join(dir, 'library'), join(dir, 'tiny-base'), String(resolution)], { stdio: 'pipe', timeout: 60_000 });
}
