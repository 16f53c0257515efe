/**
 * What a fine-tune checkpoint costs at 128 px (the studio's default CycleGAN resolution), to
 * choose how often the training child checkpoints (finetune.ts FINETUNE_CHECKPOINT): the write of
 * a complete checkpoint (generator + discriminator weights, Adam moments, image pool, run state,
 * temp folder + rename + fsync) next to the time of one training step with the fine-tune recipe.
 * A freshly initialised default network has the same tensors, so the same cost, as a trained base.
 * Not a test: it prints numbers.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendInfo, type BackendName } from '../../models/backend/select';
import { defaultCycleGanConfig } from '../../models/recipes/cyclegan/config';
import { CycleGanTrainer } from '../../models/recipes/cyclegan/trainer';
import { writeCheckpoint, type RunState } from '../../models/core/checkpoint';
import { finetuneConfig, freezeGeneratorEncoder } from '../../models/recipes/cyclegan/finetune';
import { median } from '../../shared/stats';

export interface CheckpointBenchResult {
  backend: BackendInfo;
  resolution: number;
  /** Bytes of one complete checkpoint folder. */
  checkpointBytes: number;
  checkpointMs: { median: number; max: number; runs: number };
  /** Median ms of one fine-tune step at full resolution (frozen encoder, no descriptor loss). */
  stepMs: number;
  /** Checkpoint time as a share of N steps, for the N the child uses. */
  overheadAtEverySteps: Record<string, number>;
  loadAverage: number[];
}

async function folderBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? await folderBytes(p) : (await fs.stat(p)).size;
  }
  return n;
}

export async function runCheckpointBench(opts: { backend?: BackendName; threads?: number; runs?: number; steps?: number } = {}): Promise<CheckpointBenchResult> {
  const backend = await initBackend({ backend: opts.backend ?? 'wasm', threads: opts.threads });
  const resolution = 128;
  const config = finetuneConfig(defaultCycleGanConfig(resolution, { totalSteps: 1000 }), { steps: 300, batch: 1, identityWeight: 1, seed: 1, lowResShare: 0 });
  const trainer = new CycleGanTrainer(config);
  freezeGeneratorEncoder(trainer);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ckpt-bench-'));
  const x = tf.randomUniform([1, resolution, resolution, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
  try {
    const stepTimes: number[] = [];
    for (let i = 0; i <= (opts.steps ?? 3); i++) {
      const t0 = performance.now();
      await trainer.trainStep({ images: x, ages: Float32Array.of(i % 2 ? 70 : 24) }, false);
      // The first step also creates Adam's moments (and the checkpoint then holds them): not timed.
      if (i > 0) stepTimes.push(performance.now() - t0);
    }
    const ckpt: number[] = [];
    let bytes = 0;
    for (let i = 0; i < (opts.runs ?? 5); i++) {
      const state: RunState = {
        format: 'face-age-run-state', version: 1, kind: trainer.kind, step: trainer.step + i, totalSteps: 300,
        batchSize: 1, seed: 1, trainSeconds: 0, savedAt: new Date().toISOString(),
      };
      const t0 = performance.now();
      const ref = await writeCheckpoint(tmp, state, (dir) => trainer.save(dir, { metrics: {}, totalSteps: 300, completed: false }), 1);
      ckpt.push(performance.now() - t0);
      bytes = await folderBytes(ref.dir);
    }
    const stepMs = Math.round(median(stepTimes));
    const ckptMedian = Math.round(median(ckpt));
    const overhead: Record<string, number> = {};
    for (const n of [1, 5, 10, 20, 50]) overhead[String(n)] = Math.round((1000 * ckptMedian) / (n * stepMs)) / 1000;
    return {
      backend,
      resolution,
      checkpointBytes: bytes,
      checkpointMs: { median: ckptMedian, max: Math.round(Math.max(...ckpt)), runs: ckpt.length },
      stepMs,
      overheadAtEverySteps: overhead,
      loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    };
  } finally {
    x.dispose();
    trainer.dispose();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
