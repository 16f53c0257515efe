/**
 * Runs the CycleGAN fine-tune recipe (recipes/cyclegan/finetune.ts) for the studio's training
 * child (main/engine/ops/train-child.ts), `face-age finetune` (through the same child) and the
 * fine-tune benchmark. The caller has chosen the backend.
 */
import { createCycleGanTrainer, exportCycleGanModel, loadCycleGanTrainer } from '../recipes/cyclegan/export';
import { loadPrior, readCycleGanMeta } from '../recipes/cyclegan/checkpoint';
import type { CycleGanTrainer, CycleGanTrainerOptions } from '../recipes/cyclegan/trainer';
import { domainSampling } from '../recipes/cyclegan/age-code';
import { clampToDomains, FINETUNE_DEFAULTS, finetuneConfig, freezeGeneratorEncoder } from '../recipes/cyclegan/finetune';
import type { FaceRecognizer } from '../face/identity-net';
import { descriptorLoss, loadRecognizer } from '../face/identity-loss';
import { loadAgeClassifier, type AgeClassifier } from '../recipes/age-classifier/model';
import { FaceDataset } from '../data/face-dataset';
import { rewriteLabelAges } from '../data/labels';
import { openFaceSource } from '../data/packed-source';
import { latestCheckpoint } from '../core/checkpoint';
import { runTraining } from './run-training';
import { finetuneLoopOptions, finishFinetune } from './finetune-loop';
import { FINETUNE_CHECKPOINT, type FinetuneHooks, type FinetuneResult, type FinetuneSpec } from './finetune-spec';

export async function runCycleGanFinetune(spec: FinetuneSpec, hooks: FinetuneHooks): Promise<FinetuneResult> {
  const meta = await readCycleGanMeta(spec.baseDir);
  const config = finetuneConfig(meta.config, spec);
  const freeze = spec.freezeEncoder ?? FINETUNE_DEFAULTS.freezeEncoder;
  const weight = spec.descriptorWeight ?? FINETUNE_DEFAULTS.descriptorWeight;
  await rewriteLabelAges(spec.dataDir, (age) => clampToDomains(age, config.domains));
  const recognizer: FaceRecognizer | null = weight > 0 ? await loadRecognizer() : null;
  const classifier: AgeClassifier | null =
    spec.classifierDir && config.loss.ageClassifier > 0 ? await loadAgeClassifier(spec.classifierDir, { blur: true }) : null;
  // A base that refines the prototype (generator.prior) carries it in prior/; it is the teacher too.
  const prior = await loadPrior(spec.baseDir, meta.config);
  const opts: CycleGanTrainerOptions = {
    ...(recognizer ? { extraGeneratorLoss: descriptorLoss(recognizer, weight) } : {}),
    ...(classifier ? { classifier } : {}),
    ...(prior ? { teacher: prior } : {}),
  };
  let frozen = 0;
  let trainable = 0;
  const prepare = (t: CycleGanTrainer) => {
    frozen = freeze ? freezeGeneratorEncoder(t) : 0;
    trainable = t.gen.params.variables().filter((v) => v.trainable).length;
    return t;
  };
  const source = await openFaceSource(spec.dataDir, { size: 128, valFraction: 0 });
  try {
    const data = new FaceDataset(source, { split: 'train', resolution: config.resolution, seed: spec.seed, ...domainSampling(config.domains) });
    const { options: loop, reportSamples } = finetuneLoopOptions(spec, hooks, data.size);
    const resume = (await latestCheckpoint(spec.runDir)) !== null;
    const result = await runTraining({
      runDir: spec.runDir,
      create: async () => {
        const t = createCycleGanTrainer(config, opts);
        try {
          await t.gen.params.load(spec.baseDir);
          // A checkpoint base also has its discriminator; an exported one starts D fresh.
          await t.disc.params.load(spec.baseDir).catch(() => undefined);
        } catch (err) {
          t.dispose();
          throw err;
        }
        return prepare(t);
      },
      load: async (dir) => prepare(await loadCycleGanTrainer(dir, opts)),
      data,
      resume,
      checkpointEverySteps: FINETUNE_CHECKPOINT.steps,
      checkpointEverySeconds: FINETUNE_CHECKPOINT.seconds,
      ...loop,
    });
    await reportSamples();
    return await finishFinetune(
      spec,
      hooks,
      result,
      async (dir) => {
        const t = await loadCycleGanTrainer(dir, opts);
        try {
          await exportCycleGanModel(t, spec.exportDir);
        } finally {
          t.dispose();
        }
      },
      { trainableVars: trainable, frozenVars: frozen, ageClassifier: classifier !== null, kind: 'cyclegan' },
    );
  } finally {
    await source.close();
    recognizer?.dispose();
    classifier?.dispose();
    prior?.dispose?.();
  }
}
