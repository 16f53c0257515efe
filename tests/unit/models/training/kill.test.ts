import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { listCheckpoints, readRunState } from '../../../../models/core/checkpoint';
import { loadAgeClassifierTrainer } from '../../../../models/recipes/age-classifier/trainer';
import { useCpu } from '../../../helpers/train-fixtures';

const root = path.resolve(__dirname, '..', '..', '..', '..');
let dir = '';
let bundle = '';

beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(path.join(tmpdir(), 'train-kill-'));
  bundle = path.join(dir, 'child.cjs');
  await build({
    entryPoints: [path.join(__dirname, '..', '..', '..', 'children', 'train-kill-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: bundle,
    // tfjs is bundled (one engine instance for core, cpu backend and gradients); sharp is native.
    external: ['sharp'],
    // tfjs packages declare sideEffects narrowly; keep their registration imports.
    ignoreAnnotations: true,
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the child; kills it with SIGKILL once it has printed step `killAt` (if given). */
function runChild(runDir: string, total: number, resume: boolean, killAt?: number): Promise<{ lines: Array<Record<string, number>>; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, runDir, String(total), resume ? '1' : '0'], {
      env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Array<Record<string, number>> = [];
    let buf = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as Record<string, number>;
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (killAt !== undefined && line.step === killAt) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
      else resolve({ lines, signal });
    });
  });
}

describe('SIGKILL of a training process', () => {
  it('resumes from the last complete checkpoint; no checkpoint is ever half-written', async () => {
    const runDir = path.join(dir, 'run');
    // Step 7 is printed right after the step, before the checkpoint due at step 8 starts: the
    // kill lands during training or during the write of checkpoint 8.
    const first = await runChild(runDir, 40, false, 7);
    expect(first.signal).toBe('SIGKILL');
    const survivors = await listCheckpoints(runDir);
    expect(survivors.length).toBeGreaterThan(0);
    const last = survivors.at(-1)!;
    expect(last.step).toBeGreaterThanOrEqual(6);
    expect(last.step).toBeLessThanOrEqual(8);
    // Every complete checkpoint loads, and its restored step matches its run state.
    for (const c of survivors) {
      const t = await loadAgeClassifierTrainer(c.dir);
      expect(t.step).toBe((await readRunState(c.dir)).step);
      t.dispose();
    }

    // A second kill, this time right after the resumed session's first checkpoint.
    const second = await runChild(runDir, 40, true, last.step + 3);
    expect(second.signal).toBe('SIGKILL');
    expect(second.lines[0]).toEqual({ step: last.step + 1 });

    const third = await runChild(runDir, 16, true);
    const done = third.lines.at(-1)!;
    const after = (await listCheckpoints(runDir)).at(-1)!;
    expect(done.done).toBe(16);
    expect(third.lines[0].step).toBe(done.resumedFrom + 1);
    expect(done.resumedFrom).toBeGreaterThanOrEqual(last.step + 2);
    expect(after.step).toBe(16);
    // Leftover temp folders of the killed writes were cleaned up on resume.
    expect((await readdir(path.join(runDir, 'checkpoints'))).filter((n) => n.startsWith('.'))).toEqual([]);
    // metrics.jsonl holds each step exactly once although steps after a checkpoint were replayed.
    const steps = (await readFile(path.join(runDir, 'metrics.jsonl'), 'utf8'))
      .trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'loss').map((l) => l.step);
    expect(steps).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });
});
