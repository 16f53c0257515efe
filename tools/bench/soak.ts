/**
 * Measurement behind the memory soak (tools/bench/soak-bench.ts, `npm run bench -- soak`):
 * runs an iteration `warmup` times, takes tf.memory().numTensors and the resident set size (after
 * a forced GC) as the baseline, runs it `iterations` more times and reports both again. Also the
 * training phases: steps of the real CycleGAN and Age-cGAN trainers at a small resolution (tiny
 * widths) on a folder of faces, batches drawn as the training loop draws them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createAgeCganTrainer } from '../../models/recipes/age-cgan/trainer';
import { createCycleGanTrainer } from '../../models/recipes/cyclegan/export';
import { defaultCycleGanConfig } from '../../models/recipes/cyclegan/config';
import { FaceDataset } from '../../models/data/face-dataset';
import { openFaceSource } from '../../models/data/packed-source';
import { domainSampling } from '../../models/recipes/cyclegan/age-code';
import type { LoopTrainer } from '../../models/core/trainer';

export interface SoakPhase {
  name: string;
  iterations: number;
  warmup: number;
  seconds: number;
  msPerIteration: number;
  tensorsAfterWarmup: number;
  tensorsAtEnd: number;
  tensorsConstant: boolean;
  rssAfterWarmupMB: number;
  rssAtEndMB: number;
  rssGrowthMB: number;
  rssPeakMB: number;
  /** RSS (after GC) at every tenth of the measured iterations. */
  rssSamplesMB: number[];
}

const mb = (b: number) => Math.round((b / (1024 * 1024)) * 10) / 10;

/** A real GC before each RSS sample, so garbage not yet collected does not read as growth. */
export function gcFunction(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

export async function measureSoak(name: string, warmup: number, iterations: number, gc: (() => void) | null, step: (i: number) => Promise<void>): Promise<SoakPhase> {
  const rss = () => {
    gc?.();
    gc?.();
    return process.memoryUsage().rss;
  };
  for (let i = 0; i < warmup; i++) await step(i);
  const tensorsAfterWarmup = tf.memory().numTensors;
  const base = rss();
  let peak = base;
  const samples: number[] = [];
  const every = Math.max(1, Math.floor(iterations / 10));
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    await step(warmup + i);
    peak = Math.max(peak, process.memoryUsage().rss);
    if ((i + 1) % every === 0 || i + 1 === iterations) samples.push(mb(rss()));
  }
  const seconds = (performance.now() - t0) / 1000;
  const tensorsAtEnd = tf.memory().numTensors;
  const end = rss();
  return {
    name,
    iterations,
    warmup,
    seconds: Math.round(seconds * 10) / 10,
    msPerIteration: Math.round((seconds * 1000) / iterations),
    tensorsAfterWarmup,
    tensorsAtEnd,
    tensorsConstant: tensorsAtEnd === tensorsAfterWarmup,
    rssAfterWarmupMB: mb(base),
    rssAtEndMB: mb(end),
    rssGrowthMB: mb(end - base),
    rssPeakMB: mb(peak),
    rssSamplesMB: samples,
  };
}

/** The smallest useful CycleGAN (the unit tests' tiny config): ngf 8, one ResNet block, small D. */
function tinyCycleGan(res: number, steps: number) {
  const c = defaultCycleGanConfig(res, { totalSteps: steps });
  c.resolutionSchedule = [];
  c.generator = { ...c.generator, ngf: 8, nBlocks: 1 };
  c.discriminator = { ...c.discriminator, ndf: 8, nLayers: res >= 32 ? 3 : 2 };
  c.poolSize = 3;
  c.loss = { ...c.loss, reconRampStart: 0, reconRampSteps: 0 };
  return c;
}

export interface TrainingSoakOptions {
  facesDir: string;
  steps: number;
  warmupSteps: number;
  resolution: number;
  trainers: Array<'cyclegan' | 'age-cgan'>;
  gc: (() => void) | null;
  log: (s: string) => void;
}

/** Steps of one trainer, with batches drawn as runTraining draws them (losses read every 10th step). */
function trainerSoak(name: string, t: LoopTrainer, data: FaceDataset, batchSize: number, o: TrainingSoakOptions): Promise<SoakPhase> {
  return measureSoak(name, o.warmupSteps, o.steps, o.gc, async (i) => {
    const batch = await data.batch(i, batchSize, o.resolution);
    try {
      await t.trainStep(batch, i % 10 === 9);
    } finally {
      batch.images.dispose();
    }
  });
}

/** Soak phases of the trainers (the caller has chosen the backend). */
export async function runTrainingSoak(o: TrainingSoakOptions): Promise<SoakPhase[]> {
  const phases: SoakPhase[] = [];
  const res = o.resolution;
  const source = await openFaceSource(o.facesDir, { size: 128, valFraction: 0 });
  try {
    if (o.trainers.includes('cyclegan')) {
      o.log(`soak: ${o.steps} CycleGAN steps at ${res} px`);
      const config = tinyCycleGan(res, o.warmupSteps + o.steps);
      const data = new FaceDataset(source, { split: 'train', resolution: res, seed: 3, ...domainSampling(config.domains) });
      const t = createCycleGanTrainer(config);
      try {
        phases.push(await trainerSoak('cyclegan', t, data, 1, o));
      } finally {
        t.dispose();
      }
    }
    if (o.trainers.includes('age-cgan')) {
      o.log(`soak: ${o.steps} Age-cGAN steps at ${res} px`);
      const data = new FaceDataset(source, { split: 'train', resolution: res, seed: 4 });
      const t = await createAgeCganTrainer({ resolution: res, zDim: 16, ngf: 8, ndf: 8, nef: 8, maxChannels: 32, encoderStartStep: 0, ip: { steps: 0 } });
      try {
        phases.push(await trainerSoak('age-cgan', t, data, 8, o));
      } finally {
        t.dispose();
      }
    }
  } finally {
    await source.close();
  }
  return phases;
}
