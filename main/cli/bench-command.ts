/**
 * `face-age bench`: measures the foundation (engine process start-up to a ready backend, request
 * round trips through the supervisor) and then runs models/backend/engine-bench.ts inside the
 * engine process (generator inference and one GAN training step), as the studio would.
 */
import type { EngineBenchResult } from '../../models/backend/engine-bench';
import { forkLauncher } from '../engine/launcher';
import { EngineSupervisor } from '../engine/supervisor';

export interface FoundationBench {
  backend: string;
  device: string;
  threads: number | null;
  engineStartMs: number;
  pings: number;
  pingP50Ms: number;
  pingP95Ms: number;
  /** Null when skipped (--runs 0). */
  engine: EngineBenchResult | null;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

export async function runFoundationBench(options: {
  enginePath: string;
  backend?: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  pings?: number;
  /** Timed runs of the engine benchmark; 0 skips it. */
  engineRuns?: number;
}): Promise<FoundationBench> {
  const supervisor = new EngineSupervisor({
    launcher: forkLauncher(options.enginePath),
    init: { backend: options.backend ?? 'auto', threads: null, testHooks: false },
  });
  try {
    const t0 = performance.now();
    supervisor.start();
    const err = await supervisor.whenReady();
    if (err) throw new Error(err);
    const engineStartMs = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < (options.pings ?? 200); i++) {
      const t = performance.now();
      const r = await supervisor.request('ping', {});
      if (!r.ok) throw new Error(r.error.message);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    let engine: EngineBenchResult | null = null;
    if ((options.engineRuns ?? 5) > 0) {
      const r = await supervisor.request('bench', { runs: options.engineRuns ?? 5 });
      if (!r.ok) throw new Error(`engine bench: ${r.error.message}`);
      engine = r.value;
    }
    const info = supervisor.status.info;
    return {
      backend: info?.backend ?? 'unknown',
      device: info?.device ?? 'unknown',
      threads: info?.threads ?? null,
      engineStartMs,
      pings: times.length,
      pingP50Ms: percentile(times, 0.5),
      pingP95Ms: percentile(times, 0.95),
      engine,
    };
  } finally {
    await supervisor.stop();
  }
}
