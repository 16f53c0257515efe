/**
 * Age-cGAN benchmark on the backend initBackend chooses: wall time of one training step (D, G and
 * E updates) at each resolution, of one IP-optimisation step for one face (G + recognition net,
 * forward and backward), and of a slider preview (G forward for a cached z*, batch 2).
 * Medians over `runs` after `warmup` (the first step creates Adam's slots). Random weights: timing
 * does not depend on training.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'node:os';
import { initBackend, type BackendInfo, type BackendName } from '../../models/backend/select';
import { resolveAgeCganConfig, type AgeCganConfigInput } from '../../models/recipes/age-cgan/config';
import { AgeCganTrainer } from '../../models/recipes/age-cgan/trainer';
import { FaceRecognizer } from '../../models/face/identity-net';
import { optimiseLatent } from '../../models/recipes/age-cgan/ip-optimise';
import { ageToCondition } from '../../models/recipes/age-cgan/condition';
import { median } from '../../shared/stats';

export interface AgeCganBenchOptions {
  backend?: BackendName;
  threads?: number;
  resolutions?: number[];
  batchSize?: number;
  runs?: number;
  warmup?: number;
  ipSteps?: number;
  tweak?: AgeCganConfigInput;
}

export interface AgeCganBenchRow {
  resolution: number;
  params: { G: number; D: number; E: number };
  batchSize: number;
  trainStepMs: { median: number; runs: number[] };
  ipStepMsPerFace: number;
  ipFaceMs: { steps: number; total: number };
  previewMs: { median: number; runs: number[] };
  leakedTensorsPerStep: number;
}

export interface AgeCganBenchResult {
  model: 'age-cgan';
  backend: BackendInfo;
  rows: AgeCganBenchRow[];
  loadAverage: number[];
}

async function timeIt(n: number, f: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    out.push(Math.round(performance.now() - t0));
  }
  return out;
}

export async function runAgeCganBench(opts: AgeCganBenchOptions = {}): Promise<AgeCganBenchResult> {
  const backend = await initBackend({ backend: opts.backend, threads: opts.threads });
  const runs = opts.runs ?? 3;
  const warmup = opts.warmup ?? 1;
  const bs = opts.batchSize ?? 16;
  const fr = await FaceRecognizer.load();
  const rows: AgeCganBenchRow[] = [];
  try {
    for (const resolution of opts.resolutions ?? [64, 128]) {
      const config = resolveAgeCganConfig({ ...opts.tweak, resolution, encoderStartStep: 0 });
      const t = new AgeCganTrainer(config);
      const images = tf.randomUniform([bs, resolution, resolution, 3], -1, 1) as tf.Tensor4D;
      const ages = Float32Array.from({ length: bs }, (_, i) => (i * 37) % 90);
      try {
        for (let i = 0; i < warmup; i++) await t.trainStep({ images, ages }, true);
        const before = tf.memory().numTensors;
        const stepRuns = await timeIt(runs, async () => {
          await t.trainStep({ images, ages }, true);
        });
        const leaked = tf.memory().numTensors - before;
        const face = tf.slice(images, 0, 1) as tf.Tensor4D;
        const y0 = tf.tensor2d([ageToCondition(40)]);
        const z0 = tf.tidy(() => t.E.apply(face));
        const ipSteps = opts.ipSteps ?? config.ip.steps;
        const ip = await optimiseLatent(t.G, fr, face, y0, z0, { ...config.ip, steps: ipSteps });
        const zt = tf.tensor2d(ip.z, [1, config.zDim]);
        const previewRuns = await timeIt(runs, async () => {
          const out = tf.tidy(() => t.G.apply(tf.concat([zt, zt]), tf.tensor2d([ageToCondition(70), ageToCondition(40)])));
          await out.data();
          out.dispose();
        });
        tf.dispose([face, y0, z0, zt]);
        rows.push({
          resolution,
          params: { G: t.G.params.count(), D: t.D.params.count(), E: t.E.params.count() },
          batchSize: bs,
          trainStepMs: { median: median(stepRuns), runs: stepRuns },
          ipStepMsPerFace: Math.round(ip.ms / (ipSteps + 1)),
          ipFaceMs: { steps: ipSteps, total: Math.round(ip.ms) },
          previewMs: { median: median(previewRuns), runs: previewRuns },
          leakedTensorsPerStep: leaked / runs,
        });
      } finally {
        images.dispose();
        t.dispose();
      }
    }
  } finally {
    fr.dispose();
  }
  return { model: 'age-cgan', backend, rows, loadAverage: os.loadavg() };
}
