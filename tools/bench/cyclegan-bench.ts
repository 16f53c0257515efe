/**
 * CycleGAN benchmark: wall time of one full training step (G step with fake, cycle and identity
 * passes; pool; D step on real, pooled fake and wrong-age real) and of one inference pass, batch 1,
 * at each resolution, on the backend initBackend chose. Medians over `runs` timed steps after
 * `warmup` steps (the first step also creates Adam's moment variables).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'node:os';
import { initBackend, type BackendInfo, type BackendName } from '../../models/backend/select';
import { defaultCycleGanConfig, type CycleGanConfig } from '../../models/recipes/cyclegan/config';
import { CycleGanTrainer } from '../../models/recipes/cyclegan/trainer';
import { ageCode } from '../../models/recipes/cyclegan/age-code';
import { median } from '../../shared/stats';

export interface CycleGanBenchOptions {
  backend?: BackendName;
  threads?: number;
  /** Default [128, 256] (the two sizes). */
  resolutions?: number[];
  runs?: number;
  warmup?: number;
  /** Overrides of the default config at every resolution (e.g. a smaller ngf). */
  tweak?: (c: CycleGanConfig) => CycleGanConfig;
}

export interface CycleGanBenchRow {
  resolution: number;
  generator: string;
  discriminator: string;
  params: { G: number; D: number };
  trainStepMs: { median: number; runs: number[] };
  inferenceMs: { median: number; runs: number[] };
  leakedTensorsPerStep: number;
}

export interface CycleGanBenchResult {
  model: 'cyclegan';
  backend: BackendInfo;
  rows: CycleGanBenchRow[];
  loadAverage: number[];
}

const round = (v: number) => Math.round(v);

async function benchOne(config: CycleGanConfig, runs: number, warmup: number): Promise<CycleGanBenchRow> {
  const r = config.resolution;
  const t = new CycleGanTrainer(config);
  const images = tf.randomUniform([2, r, r, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  // Batch 1 per step (CycleGAN's default): alternate a young and an old face.
  const faces = [tf.slice(images, [0, 0, 0, 0], [1, r, r, 3]), tf.slice(images, [1, 0, 0, 0], [1, r, r, 3])] as tf.Tensor4D[];
  const ages = [Float32Array.of(24), Float32Array.of(70)];
  const step = (i: number) => t.trainStep({ images: faces[i % 2], ages: ages[i % 2] }, false);
  try {
    for (let i = 0; i < warmup; i++) await step(i);
    const before = tf.memory().numTensors;
    const trainRuns: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await step(i);
      trainRuns.push(performance.now() - t0);
    }
    const leaked = (tf.memory().numTensors - before) / runs;
    const code = tf.tensor2d(ageCode(70, config.domains), [1, config.domains.length]);
    const inferRuns: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const t0 = performance.now();
      const y = tf.tidy(() => t.gen.translate(faces[0], code).image);
      await y.data();
      y.dispose();
      if (i > 0) inferRuns.push(performance.now() - t0);
    }
    code.dispose();
    const g = config.generator;
    const d = config.discriminator;
    return {
      resolution: r,
      generator: `resnet ngf${g.ngf} blocks${g.nBlocks} ${g.output}`,
      discriminator: `patchgan ndf${d.ndf} layers${d.nLayers} ${d.conditioning}`,
      params: { G: t.gen.params.count(), D: t.disc.params.count() },
      trainStepMs: { median: round(median(trainRuns)), runs: trainRuns.map(round) },
      inferenceMs: { median: round(median(inferRuns)), runs: inferRuns.map(round) },
      leakedTensorsPerStep: leaked,
    };
  } finally {
    tf.dispose([images, ...faces]);
    t.dispose();
  }
}

export async function runCycleGanBench(opts: CycleGanBenchOptions = {}): Promise<CycleGanBenchResult> {
  const backend = await initBackend({ backend: opts.backend, threads: opts.threads });
  const rows: CycleGanBenchRow[] = [];
  for (const res of opts.resolutions ?? [128, 256]) {
    let c = defaultCycleGanConfig(res);
    c.resolutionSchedule = []; // time the resolution itself, not the progressive warm-up size
    if (opts.tweak) c = opts.tweak(c);
    const row = await benchOne(c, opts.runs ?? 3, opts.warmup ?? 1);
    console.log(
      `cyclegan ${backend.name} ${res}px: train step ${row.trainStepMs.median} ms, inference ${row.inferenceMs.median} ms (${row.generator}; ${row.discriminator})`,
    );
    rows.push(row);
  }
  return { model: 'cyclegan', backend, rows, loadAverage: os.loadavg() };
}
