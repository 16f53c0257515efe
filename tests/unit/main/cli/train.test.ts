/**
 * `face-age train` through the real CLI bundle (cli.cjs next to engine.cjs, as in dist/), run as a
 * separate process on the wasm backend: a few CycleGAN steps on the fixture faces, a refused
 * restart without --resume, a resumed run that exports, and the export aging a photo.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEngine } from '../../../helpers/engine-bundle';
import { cliResult, runCli, type CliRun } from '../../../helpers/cli-process';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');
let dir = '';

function cli(args: string[]): Promise<CliRun> {
  return runCli(join(dir, 'cli.cjs'), args, 120_000);
}

const result = cliResult;

beforeAll(async () => {
  ({ dir } = await bundleEngine('cli-train', { 'cli.cjs': 'main/cli/main.ts' }));
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('face-age train', () => {
  it('trains a CycleGAN a few steps on the fixture faces, resumes, and exports a loadable model', async () => {
    const run = join(dir, 'train-run');
    const exportDir = join(dir, 'train-export');
    const common = ['train', '--kind', 'cyclegan', '--data', join(FIXTURES, 'faces'), '--run', run, '--resolution', '64', '--val-fraction', '0', '--sample-every', '0', '--log-every', '1', '--backend', 'wasm', '--json'];
    const first = await cli([...common, '--steps', '1']);
    expect(first.code, first.err.slice(-2000)).toBe(0);
    expect(result<{ step: number; completed: boolean }>(first)).toMatchObject({ step: 1, completed: true });
    // Without --resume an existing run is refused rather than overwritten.
    const again = await cli([...common, '--steps', '2']);
    expect(again.code).toBe(1);
    const second = await cli([...common, '--steps', '2', '--resume', '--export', exportDir]);
    expect(second.code, second.err.slice(-2000)).toBe(0);
    const v = result<{ step: number; resumedFrom: number | null; completed: boolean; exported: string | null }>(second);
    expect(v).toMatchObject({ step: 2, resumedFrom: 1, completed: true, exported: exportDir });
    expect(second.err).toMatch(/"stepsPerSecond":/);
    expect(existsSync(join(exportDir, 'meta.json'))).toBe(true);
    const aged = await cli(['age', join(FIXTURES, 'photos', 'one-face.jpg'), '--model', exportDir, '--target', '70', '--out', join(dir, 'train-aged.png'), '--backend', 'wasm', '--json']);
    expect(aged.code, aged.err.slice(-2000)).toBe(0);
  }, 240_000);
});
