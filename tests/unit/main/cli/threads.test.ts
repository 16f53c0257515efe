/**
 * The CLI's wasm threads (issue 5): --threads N, else FACE_AGE_THREADS, else the machine's cores, as initBackend
 * defaults (the CLI used to force 1 because a thread pool kept the process alive; the pool's
 * workers are unref'd now). Each case is its own process: the backend starts once per process.
 * `detect` on a missing photo starts the backend first, then fails with not-found, so no model
 * is needed to see which pool the command got, and that the process exits by itself.
 */
import { defaultThreadChoice } from '../../../../models/backend/thread-choice';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../main/cli/main';
import { bundleEngine } from '../../../helpers/engine-bundle';

let dir = '';
let child = '';
beforeAll(async () => {
  ({ dir } = await bundleEngine('cli-threads', { 'cli-threads-child.cjs': 'tests/children/cli-threads-child.ts' }));
  child = join(dir, 'cli-threads-child.cjs');
}, 60_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in a child; rejects if it does not exit by itself within 60 s. */
function runChild(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; threads: number; out: string }> {
  return new Promise((resolve, reject) => {
    const childEnv = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
    const p = spawn(process.execPath, [child, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`the CLI did not exit by itself: ${stdout}${stderr}`));
    }, 60_000);
    p.on('close', () => {
      clearTimeout(timer);
      const lines = stdout.trim().split('\n');
      try {
        resolve({ ...(JSON.parse(lines.at(-1)!) as { code: number; threads: number }), out: lines.slice(0, -1).join('\n') });
      } catch {
        reject(new Error(`no result line: ${stdout}${stderr}`));
      }
    });
  });
}

const missing = () => join(dir, 'no-such-photo.jpg');

describe('face-age --threads', () => {
  it('--threads 2 starts a 2-thread wasm pool, and the process still exits by itself', async () => {
    const r = await runChild(['detect', missing(), '--backend', 'wasm', '--threads', '2', '--json'], { FACE_AGE_THREADS: undefined });
    expect(r.out).toMatch(/not-found/);
    expect(r.code).toBe(1);
    expect(r.threads).toBe(2);
  }, 90_000);

  it('without --threads, FACE_AGE_THREADS decides, else the machine\'s cores (1 thread while it is busy)', async () => {
    const fromEnv = await runChild(['detect', missing(), '--backend', 'wasm', '--json'], { FACE_AGE_THREADS: '2' });
    expect(fromEnv).toMatchObject({ code: 1, threads: 2 });
    const plain = await runChild(['detect', missing(), '--backend', 'wasm', '--json'], { FACE_AGE_THREADS: undefined });
    // The default pool starts on 1 thread on a machine busier than its cores (this shared one often is).
    const choice = defaultThreadChoice();
    expect([choice.startThreads, choice.threads]).toContain(plain.threads);
  }, 120_000);

  it('rejects a bad count as a usage error', async () => {
    const out: string[] = [];
    const code = await runCli(['detect', 'x.jpg', '--threads', '0', '--json'], (s) => out.push(s), (s) => out.push(s));
    expect(code).toBe(64);
    expect(out.join('\n')).toMatch(/--threads must be an integer from 1 to 64/);
  });
});
