import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkLauncher } from '../../../../main/engine/launcher';
import { EngineSupervisor, type SupervisorStatus } from '../../../../main/engine/supervisor';
import { bundleEngine } from '../../../helpers/engine-bundle';

// Real engine processes: the worker is bundled the same way scripts/build.mjs bundles it.
let dir = '';
let enginePath = '';

beforeAll(async () => {
  ({ dir, enginePath } = await bundleEngine('foundation-supervisor'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function supervisor(path = enginePath, extra: Partial<ConstructorParameters<typeof EngineSupervisor>[0]> = {}) {
  return new EngineSupervisor({
    launcher: forkLauncher(path),
    init: { backend: 'auto', threads: null, testHooks: true },
    ...extra,
  });
}

describe('EngineSupervisor', () => {
  it('round-trips a ping through a real engine process on a real backend', async () => {
    const s = supervisor();
    try {
      s.start();
      const r = await s.request('ping', { echo: 'hello' });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.echo).toBe('hello');
      expect(['wasm', 'cpu']).toContain(r.value.backend);
      expect(r.value.pid).toBe(s.status.pid);
      expect(r.value.pid).not.toBe(process.pid);
      const info = await s.request('info', {});
      expect(info.ok && info.value.device).toMatch(/CPU/);
    } finally {
      await s.stop();
    }
  });

  it('answers engine-crashed when the engine dies mid-request, restarts it, and the next request works', async () => {
    const s = supervisor();
    const states: SupervisorStatus['state'][] = [];
    s.onStatus((st) => states.push(st.state));
    try {
      s.start();
      const first = await s.request('ping', {});
      expect(first.ok).toBe(true);
      const pid = s.status.pid;
      expect(pid).toBeTypeOf('number');

      const slow = s.request('ping', { delayMs: 30_000 });
      await new Promise((r) => setTimeout(r, 100));
      process.kill(pid as number, 'SIGKILL');
      const crashed = await slow;
      expect(crashed).toMatchObject({ ok: false, error: { code: 'engine-crashed' } });

      const next = await s.request('ping', { echo: 'again' });
      expect(next).toMatchObject({ ok: true, value: { echo: 'again' } });
      expect(s.status.pid).not.toBe(pid);
      expect(s.status.restarts).toBe(1);
      expect(states).toContain('restarting');
    } finally {
      await s.stop();
    }
  });

  it('cancels a request by signal and keeps the engine usable', async () => {
    const s = supervisor();
    try {
      s.start();
      const ac = new AbortController();
      const slow = s.request('ping', { delayMs: 30_000 }, { signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      expect(await slow).toMatchObject({ ok: false, error: { code: 'cancelled' } });
      expect((await s.request('ping', { echo: 'x' })).ok).toBe(true);
    } finally {
      await s.stop();
    }
  });

  it('refuses the ping delay test hook when test hooks are off', async () => {
    const s = new EngineSupervisor({
      launcher: forkLauncher(enginePath),
      init: { backend: 'cpu', threads: null, testHooks: false },
    });
    try {
      const r = await s.request('ping', { delayMs: 10 });
      expect(r).toMatchObject({ ok: false, error: { code: 'unsupported' } });
      const info = await s.request('info', {});
      expect(info.ok && info.value.backend).toBe('cpu');
    } finally {
      await s.stop();
    }
  });

  it('gives up with a clear error when the engine crashes in a loop', async () => {
    const crasher = join(dir, 'crasher.cjs');
    writeFileSync(crasher, 'process.exit(3);\n');
    const s = supervisor(crasher, { maxCrashes: 2, crashWindowMs: 60_000, retryFailedAfterMs: 300 });
    try {
      const r = await s.request('ping', {});
      expect(r).toMatchObject({ ok: false, error: { code: 'engine-unavailable' } });
      expect(s.status.state).toBe('failed');
      expect(s.status.lastError).toMatch(/code 3/);
      // Within the retry delay, requests fail at once without starting processes.
      const restarts = s.status.restarts;
      expect(await s.request('ping', {})).toMatchObject({ ok: false, error: { code: 'engine-unavailable' } });
      expect(s.status.restarts).toBe(restarts);
      // Later, a request tries a fresh start (which fails again here, with the same clear error).
      await new Promise((r) => setTimeout(r, 350));
      expect(await s.request('ping', {})).toMatchObject({ ok: false, error: { code: 'engine-unavailable' } });
      expect(s.status.restarts).toBeGreaterThan(restarts);
    } finally {
      await s.stop();
    }
  });
});
