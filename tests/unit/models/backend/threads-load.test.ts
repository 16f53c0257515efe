/**
 * Issue 5: threaded wasm under load. A real child process trains with a 2-thread XNNPACK pool while
 * two busy loops compete for the 2 cores; it must keep making progress (no gap over 30 s between
 * steps) and end by itself when done (the pool's workers used to keep it alive forever at 0% CPU).
 * With a ThreadGovernor, an oversubscribed machine makes it drop to 1 thread. The default, with no
 * thread count given, is 1 thread (models/backend/README.md).
 */
import { defaultThreadChoice } from '../../../../models/backend/thread-choice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleEngine } from '../../../helpers/engine-bundle';

const root = path.resolve(__dirname, '..', '..', '..', '..');
let dir = '';
let child = '';

beforeAll(async () => {
  const b = await bundleEngine('engine-threads', { 'threads-child.cjs': 'tests/children/engine-threads-child.ts' });
  dir = b.dir;
  child = path.join(dir, 'threads-child.cjs');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  lines: Array<Record<string, unknown>>;
  /** Longest time without a new line (start to first line included), ms. */
  maxGapMs: number;
  /** Time from the "done" line to the process's exit, ms (null if it never printed done). */
  exitAfterDoneMs: number | null;
  code: number | null;
  stderr: string;
}

/** Runs the child; kills it (and fails) if it is silent for `stallMs` or lingers `lingerMs` after done. */
function runChild(threads: string, steps: number, stallMs: number, lingerMs: number, mode = 'fixed'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, threads, String(steps), mode], {
      cwd: root,
      env: { ...process.env, FACE_AGE_THREADS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Array<Record<string, unknown>> = [];
    let last = Date.now();
    let maxGapMs = 0;
    let doneAt: number | null = null;
    let buf = '';
    let stderr = '';
    const watchdog = setInterval(() => {
      const now = Date.now();
      if (doneAt === null && now - last > stallMs) p.kill('SIGKILL');
      if (doneAt !== null && now - doneAt > lingerMs) p.kill('SIGKILL');
    }, 250);
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const now = Date.now();
        maxGapMs = Math.max(maxGapMs, now - last);
        last = now;
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        // tfjs may print a banner on stdout; the child's own lines are JSON objects.
        if (!text.startsWith('{')) continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        if (line.done) doneAt = now;
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      clearInterval(watchdog);
      const now = Date.now();
      if (doneAt === null) maxGapMs = Math.max(maxGapMs, now - last);
      resolve({ lines, maxGapMs, exitAfterDoneMs: doneAt === null ? null : now - doneAt, code, stderr });
    });
  });
}

/**
 * Busy processes: with ours, more runnable threads than the machine's 2 cores. Each ends by
 * itself after 90 s even if this test dies before killing it.
 */
function busyLoops(n: number): ChildProcess[] {
  const code = 'const end = Date.now() + 90000; while (Date.now() < end) {}';
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', code], { stdio: 'ignore' }));
}

describe('threaded wasm under load', () => {
  it('a 2-thread pool keeps training while busy loops compete, and the process exits by itself', async () => {
    const busy = busyLoops(2);
    let run: Run;
    try {
      run = await runChild('2', 12, 30_000, 10_000);
    } finally {
      for (const b of busy) b.kill('SIGKILL');
    }
    expect(run.stderr).toBe('');
    expect(run.lines[0]).toMatchObject({ backend: 'wasm', threads: 2 });
    const steps = run.lines.filter((l) => typeof l.step === 'number');
    expect(steps).toHaveLength(12);
    for (const s of steps) expect(Number.isFinite(s.lossG) && Number.isFinite(s.lossD)).toBe(true);
    // Progress: never 30 s without a step (the watchdog kills a silent child, which fails this too).
    expect(run.maxGapMs).toBeLessThan(30_000);
    // Ends on its own: the pool's workers no longer hold the event loop open.
    expect(run.code).toBe(0);
    expect(run.exitAfterDoneMs).not.toBeNull();
    expect(run.exitAfterDoneMs!).toBeLessThan(10_000);
  });

  it('a governed 2-thread pool drops to 1 thread on an oversubscribed machine, keeps training and exits', async () => {
    // Twice as many busy processes as cores: our threads wait for a CPU more than they run.
    const busy = busyLoops(Math.min(16, 2 * (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length)));
    let run: Run;
    try {
      run = await runChild('2', 30, 30_000, 10_000, 'governed');
    } finally {
      for (const b of busy) b.kill('SIGKILL');
    }
    expect(run.stderr).toBe('');
    const steps = run.lines.filter((l) => typeof l.step === 'number');
    expect(steps).toHaveLength(30);
    expect(run.lines[0]).toMatchObject({ backend: 'wasm', threads: 2 });
    expect(steps.some((l) => l.threads === 1)).toBe(true);
    expect(Number(run.lines.find((l) => l.done)?.switches)).toBeGreaterThan(0);
    for (const s of steps) expect(Number.isFinite(s.lossG) && Number.isFinite(s.lossD)).toBe(true);
    expect(run.maxGapMs).toBeLessThan(30_000);
    expect(run.code).toBe(0);
    expect(run.exitAfterDoneMs!).toBeLessThan(10_000);
  });

  it('defaults to the machine\'s physical cores (capped) when no count is given', async () => {
    const run = await runChild('default', 2, 30_000, 10_000);
    expect(run.stderr).toBe('');
    // adaptiveThreads is off in the child: the whole default pool computes from the start.
    const expected = defaultThreadChoice();
    expect(run.lines[0]).toMatchObject({ backend: 'wasm', threads: expected.threads, source: expected.source });
    expect(run.lines[0].note === null || /busy machine/.test(String(run.lines[0].note))).toBe(true);
    expect(run.code).toBe(0);
    expect(run.exitAfterDoneMs!).toBeLessThan(10_000);
  });
});
