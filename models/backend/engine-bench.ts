/**
 * Engine benchmark: inference latency of the reference generator on one 128x128 image and the
 * time of one full GAN training step (see reference-step.ts), medians over several runs, on the
 * backend initBackend chose. `face-age bench --json` prints what runEngineBench returns;
 * tools/bench/torch-peer.py prints the same fields for PyTorch, so the two can be compared side by side
 * (ratio = tfjs medianMs / torch medianMs, both at the same thread count, run back to back).
 * cpuMedianMs (process CPU time, all threads) is reported too: on a shared, busy machine it is a
 * steadier measure of the work done than wall time.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'node:os';
import { allCores, initBackend, type BackendInfo, type BackendName } from './select';
import { createReferenceSession } from './reference-step';
import { median } from '../../shared/stats';

export interface EngineBenchOptions {
  backend?: BackendName;
  threads?: number;
  /** Timed runs per measurement (after warm-up). Default 5. */
  runs?: number;
  warmup?: number;
  /** Also return per-kernel time of one profiled training step (slower). */
  profileKernels?: boolean;
}

export interface TimingStats {
  medianMs: number;
  minMs: number;
  runsMs: number[];
  /** Median process CPU time (all threads) per run: comparable across runs on a busy machine. */
  cpuMedianMs: number;
}

export interface EngineBenchResult {
  engine: 'tfjs';
  tfjsVersion: string;
  backend: BackendInfo;
  workload: { size: number; generator: string; discriminator: string; batch: 1 };
  inference: TimingStats;
  trainStep: TimingStats;
  /** Kernel name -> [total ms, calls] in one profiled training step, biggest first. */
  kernels?: Array<{ name: string; ms: number; calls: number }>;
  loadAverage: number[];
  leakedTensorsPerStep: number;
}

function stats({ wall, cpu }: { wall: number[]; cpu: number[] }): TimingStats {
  const r = (v: number) => Math.round(v * 10) / 10;
  return { medianMs: r(median(wall)), minMs: r(Math.min(...wall)), runsMs: wall.map(r), cpuMedianMs: r(median(cpu)) };
}

async function timeRuns(n: number, f: () => Promise<unknown>): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await f();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

export async function runEngineBench(opts: EngineBenchOptions = {}): Promise<EngineBenchResult> {
  // Every core unless told otherwise: the bench compares with torch at the same thread count.
  const backend = await initBackend({ backend: opts.backend, threads: opts.threads ?? allCores(), adaptiveThreads: false });
  const runs = Math.max(1, opts.runs ?? 5);
  const warmup = Math.max(1, opts.warmup ?? 2);
  const session = createReferenceSession();
  try {
    await timeRuns(warmup, () => session.infer());
    const inference = stats(await timeRuns(runs, () => session.infer()));
    await timeRuns(warmup, () => session.trainStep());
    const before = tf.memory().numTensors;
    const trainStep = stats(await timeRuns(runs, () => session.trainStep()));
    const leakedTensorsPerStep = (tf.memory().numTensors - before) / runs;
    let kernels: EngineBenchResult['kernels'];
    if (opts.profileKernels) {
      const prof = await tf.profile(() => session.trainStep());
      const agg = new Map<string, { ms: number; calls: number }>();
      for (const k of prof.kernels) {
        const a = agg.get(k.name) ?? { ms: 0, calls: 0 };
        a.ms += Number(k.kernelTimeMs) || 0;
        a.calls++;
        agg.set(k.name, a);
      }
      kernels = [...agg.entries()]
        .map(([name, a]) => ({ name, ms: Math.round(a.ms * 10) / 10, calls: a.calls }))
        .sort((a, b) => b.ms - a.ms);
    }
    return {
      engine: 'tfjs',
      tfjsVersion: tf.version_core,
      backend,
      workload: { size: 128, generator: 'resnet ngf32 6 blocks, instance norm, reflect pad', discriminator: 'patchgan 70x70 ndf64', batch: 1 },
      inference,
      trainStep,
      ...(kernels ? { kernels } : {}),
      loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
      leakedTensorsPerStep,
    };
  } finally {
    session.dispose();
  }
}
