/**
 * The engine reports the wasm thread count as it is now, not as it was at start (issue 5): the
 * thread governor switches the pool at run time. In-process on the real threaded wasm backend:
 * engineInfoOf (ready message, info op, 'info' updates) follows setWasmThreads. Through a real
 * child process speaking the engine protocol: the supervisor takes an 'info' update, tells its
 * status listeners, and system:status (engineStatusOf) shows the new count and the switches.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../models/backend/select';
import { setWasmThreads } from '../../../../models/backend/thread-governor';
import type { BackendChoice } from '../../../../main/engine/backend';
import { forkLauncher } from '../../../../main/engine/launcher';
import { EngineSupervisor, type SupervisorStatus } from '../../../../main/engine/supervisor';
import { engineInfoOf } from '../../../../main/engine/worker-ops';
import { engineStatusOf } from '../../../../main/core/handlers/system';
import type { CoreContext } from '../../../../main/core/context';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'engine-live-threads-'));
});
afterAll(() => {
  setWasmThreads(2);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('engine thread count', () => {
  it('engineInfoOf reports the pool as it is now: 2 threads, then 1 after a switch', async () => {
    // No governor here: its own samples would race the switch made below.
    const info = await initBackend({ backend: 'wasm', threads: 2, adaptiveThreads: false });
    expect(info.threads).toBe(2);
    const choice: BackendChoice = { backend: 'wasm', threads: info.threads, device: info.device, fallbacks: [] };
    expect(engineInfoOf(choice, 'x')).toMatchObject({ backend: 'wasm', threads: 2, threadSwitches: 0 });
    expect(setWasmThreads(1)).toBe(1);
    // The start-up choice still says 2; the report follows the pool.
    expect(engineInfoOf(choice, 'x').threads).toBe(1);
    expect(setWasmThreads(2)).toBe(2);
    expect(engineInfoOf(choice, 'x').threads).toBe(2);
  }, 60_000);

  it("the supervisor takes the engine's 'info' update: status listeners and system:status show 1 thread and the switch", async () => {
    // A process that speaks the engine protocol and switches as a governed engine does after a request.
    const engine = join(dir, 'switching-engine.cjs');
    writeFileSync(
      engine,
      `const info = (threads, threadSwitches) => ({ backend: 'wasm', threads, threadSwitches, device: 'test', pid: process.pid, versions: { tfjs: null, node: process.versions.node } });
process.on('message', (m) => {
  if (m.type === 'init') process.send({ type: 'ready', info: info(2, 0) });
  else if (m.type === 'request') {
    process.send({ type: 'info', info: info(1, 1) });
    process.send({ type: 'response', id: m.id, result: { ok: true, value: { echo: null, backend: 'wasm', pid: process.pid } } });
  } else if (m.type === 'shutdown') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
`,
    );
    const s = new EngineSupervisor({ launcher: forkLauncher(engine), init: { backend: 'wasm', threads: 2, testHooks: false } });
    const seen: Array<number | null> = [];
    s.onStatus((st: SupervisorStatus) => seen.push(st.info?.threads ?? null));
    const ctx = { versions: { app: 'test', electron: null, chrome: null } } as unknown as CoreContext;
    try {
      s.start();
      expect(await s.whenReady()).toBeNull();
      const r = await s.request('ping', {});
      expect(r.ok).toBe(true);
      expect(seen).toContain(2);
      expect(seen.at(-1)).toBe(1);
      expect(engineStatusOf(ctx, s.status)).toMatchObject({ state: 'ready', backend: 'wasm', threads: 1, threadSwitches: 1 });
    } finally {
      await s.stop();
    }
  }, 30_000);
});
