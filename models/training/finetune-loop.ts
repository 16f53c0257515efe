/**
 * What the CycleGAN and Age-cGAN fine-tune recipes hand runTraining alike: the step budget, the
 * hooks, and reporting each sample grid (<run>/samples/step-N.png) to FinetuneHooks.onSample once,
 * as soon as it is written (the dashboard refreshes on it), not at the next checkpoint.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { RunTrainingOptions, RunTrainingResult } from './run-training';
import type { LoopTrainer } from '../core/trainer';
import { latestCheckpoint } from '../core/checkpoint';
import { copyTextureStage } from '../stages/texture';
import type { FinetuneHooks, FinetuneResult, FinetuneSpec } from './finetune-spec';

export function sampleReporter(runDir: string, onSample?: (step: number, file: string) => void): () => Promise<void> {
  const samplesDir = path.join(runDir, 'samples');
  const seen = new Set<string>();
  return async () => {
    if (!onSample) return;
    const names = await fs.readdir(samplesDir).catch(() => [] as string[]);
    for (const n of names.sort()) {
      const m = /^step-(\d+)\.png$/.exec(n);
      if (!m || seen.has(n)) continue;
      seen.add(n);
      onSample(Number(m[1]), path.join(samplesDir, n));
    }
  };
}

type SharedKeys = 'totalSteps' | 'batchSize' | 'seed' | 'keepCheckpoints' | 'sampleEvery' | 'sampleFaces' | 'logEvery' | 'control' | 'onSample' | 'onProgress';

/** The runTraining options both recipes share; `reportSamples` is to be awaited once more at the end. */
export function finetuneLoopOptions<T extends LoopTrainer>(
  spec: FinetuneSpec,
  hooks: FinetuneHooks,
  faces: number,
): { options: Pick<RunTrainingOptions<T>, SharedKeys>; reportSamples: () => Promise<void> } {
  const reportSamples = sampleReporter(spec.runDir, hooks.onSample);
  return {
    reportSamples,
    options: {
      totalSteps: spec.steps,
      batchSize: spec.batch,
      seed: spec.seed,
      keepCheckpoints: 1,
      sampleEvery: spec.sampleEvery,
      sampleFaces: Math.min(4, faces),
      logEvery: Math.max(1, Math.min(10, Math.floor(spec.steps / 20))),
      control: hooks.control,
      onSample: () => void reportSamples(),
      onProgress: (p) => {
        hooks.onProgress?.(p);
        if (p.phase === 'sample' || p.phase === 'done' || p.phase === 'checkpoint') void reportSamples();
      },
    },
  };
}

/**
 * After the loop: exports the newest checkpoint with the recipe's `exportFrom` when the run
 * completed, or was cancelled after a step and hooks.keepOnCancel says to keep it, and returns the FinetuneResult (recipe-specific fields in `extra`).
 */
export async function finishFinetune(
  spec: FinetuneSpec,
  hooks: FinetuneHooks,
  result: RunTrainingResult,
  exportFrom: (checkpointDir: string) => Promise<void>,
  extra: Pick<FinetuneResult, 'trainableVars' | 'frozenVars' | 'ageClassifier' | 'kind' | 'teacher'>,
): Promise<FinetuneResult> {
  let exported: string | null = null;
  // A run stopped with keep exports what it has learnt, as a completed one does.
  const kept = result.cancelled && result.step > 0 && hooks.keepOnCancel?.() === true;
  const ckpt = result.completed || kept ? await latestCheckpoint(spec.runDir) : null;
  if (result.completed && !ckpt) throw new Error('training completed but no checkpoint was found');
  if (ckpt && (result.completed || ckpt.step > 0)) {
    await exportFrom(ckpt.dir);
    // The base's texture stage goes with the new version (it is data, not trained weights).
    await copyTextureStage(spec.baseDir, spec.exportDir);
    exported = spec.exportDir;
  }
  const { completed, cancelled, step, stepsPerSecond, trainSeconds } = result;
  return { completed, cancelled, step, stepsPerSecond, trainSeconds, exported, ...extra };
}
