/**
 * Child process of train-kill.test.ts: trains the tiny classifier through runTraining with a
 * checkpoint every 2 steps and prints one JSON line per step, until killed or done.
 * argv: runDir totalSteps resume(0|1)
 */
import { FaceDataset } from '../../models/data/face-dataset';
import { runTraining } from '../../models/training/run-training';
import { loadAgeClassifierTrainer } from '../../models/recipes/age-classifier/trainer';
import { spreadAges, syntheticSource, tinyClassifierTrainer, useCpu } from '../helpers/train-fixtures';

async function main(): Promise<void> {
  const [runDir, total, resume] = process.argv.slice(2);
  await useCpu();
  const ages = spreadAges(4);
  const result = await runTraining({
    runDir,
    create: async () => tinyClassifierTrainer(ages),
    load: (d) => loadAgeClassifierTrainer(d),
    data: new FaceDataset(syntheticSource(ages, 16), { split: 'all', resolution: 16, seed: 11 }),
    totalSteps: Number(total),
    batchSize: 8,
    seed: 11,
    resume: resume === '1',
    logEvery: 1,
    sampleEvery: 0,
    checkpointEverySteps: 2,
    onStep: (_t, step) => process.stdout.write(JSON.stringify({ step }) + '\n'),
  });
  process.stdout.write(JSON.stringify({ done: result.step, resumedFrom: result.resumedFrom }) + '\n');
}

main().catch((e) => {
  process.stderr.write(String((e as Error).stack) + '\n');
  process.exit(1);
});
