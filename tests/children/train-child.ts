/**
 * Child process of reliability-kill-training.test.ts: trains the production CycleGAN trainer (tiny
 * config, 16 px) through the shared runTraining loop on the committed fixture faces, checkpointing
 * every step, and mirrors the run into a real library row the way main/engine/training/training-runs.ts
 * does (status running, progress per step, completed at the end). Resumes from the newest
 * checkpoint when there is one. Prints one JSON line per event until killed or done:
 *   {ready}  {resumed, hash}  {step}  {done, resumedFrom}
 * argv: libraryDir runDir runId totalSteps facesDir
 */
import * as tf from '@tensorflow/tfjs-core';
import { Library } from '../../main/library/library';
import { initBackend } from '../../models/backend/select';
import { createCycleGanTrainer, loadCycleGanTrainer } from '../../models/recipes/cyclegan/export';
import { defaultCycleGanConfig } from '../../models/recipes/cyclegan/config';
import { latestCheckpoint } from '../../models/core/checkpoint';
import { FaceDataset } from '../../models/data/face-dataset';
import { openFaceSource } from '../../models/data/packed-source';
import { runTraining } from '../../models/training/run-training';
import { domainSampling } from '../../models/recipes/cyclegan/age-code';
import { weightsHash } from '../helpers/tiny-weights';

const say = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n');

/** The cyclegan-fixtures tiny config (ngf 8, one block, small D), without importing test helpers' tf setup. */
function tinyConfig(res: number) {
  const c = defaultCycleGanConfig(res, { totalSteps: 100 });
  c.resolutionSchedule = [];
  c.generator = { ...c.generator, ngf: 8, nBlocks: 1 };
  c.discriminator = { ...c.discriminator, ndf: 8, nLayers: 2 };
  c.poolSize = 3;
  c.loss = { ...c.loss, reconRampStart: 0, reconRampSteps: 0 };
  return c;
}

async function main(): Promise<void> {
  const [libDir, runDir, runIdArg, totalArg, facesDir] = process.argv.slice(2);
  const runId = Number(runIdArg);
  await initBackend({ backend: 'wasm', threads: 1 });
  const lib = await Library.open(libDir);
  const config = tinyConfig(16);
  const source = await openFaceSource(facesDir, { size: 128, valFraction: 0 });
  const data = new FaceDataset(source, { split: 'train', resolution: 16, seed: 5, ...domainSampling(config.domains) });
  // 'queued' on the first start, 'interrupted' after recovery saw a killed session.
  if (lib.getRun(runId).status !== 'running') lib.setRunStatus(runId, 'running');
  say({ ready: true });
  const resume = (await latestCheckpoint(runDir)) !== null;
  const result = await runTraining({
    runDir,
    create: async () => createCycleGanTrainer(config),
    load: async (dir) => {
      const t = await loadCycleGanTrainer(dir);
      say({ resumed: t.step, hash: weightsHash(t) });
      return t;
    },
    data,
    totalSteps: Number(totalArg),
    batchSize: 1,
    seed: 5,
    resume,
    checkpointEverySteps: 1,
    keepCheckpoints: 2,
    sampleEvery: 0,
    logEvery: 1,
    onProgress: (p) => {
      if (p.phase !== 'training' || Object.keys(p.losses).length === 0) return;
      // As TrainingRuns.onProgress: losses of the step into the run row before the next step.
      lib.recordRunProgress(runId, p.step, [{ step: p.step, values: p.losses }]);
    },
    onStep: (_t, step) => say({ step, tensors: tf.memory().numTensors }),
  });
  if (result.completed) lib.setRunStatus(runId, 'completed');
  lib.close();
  await source.close();
  say({ done: result.step, resumedFrom: result.resumedFrom });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
