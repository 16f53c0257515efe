/**
 * `face-age train`: options -> dataset + trainer factory -> runTraining. Used by the CLI (H4's
 * main/cli), by scripts/pretrain.sh through train-main.ts, and by the engine's training channel.
 * The caller chooses the backend (initBackend) before calling; SIGINT/SIGTERM handling is the
 * caller's too: it passes a TrainingController and calls cancel(), which checkpoints and returns.
 */
import { FaceDataset } from '../data/face-dataset';
import { PackedFaceSource, openFaceSource } from '../data/packed-source';
import { runTraining, type RunTrainingResult, type TrainingProgress } from './run-training';
import type { LoopTrainer } from '../core/trainer';
import type { TrainingController } from './training-control';
import { createCycleGanTrainer, exportCycleGanModel, loadCycleGanTrainer } from '../recipes/cyclegan/export';
import { domainSampling } from '../recipes/cyclegan/age-code';
import type { AgeDomain } from '../recipes/cyclegan/config';
import { createAgeCganTrainer, loadAgeCganTrainer } from '../recipes/age-cgan/trainer';
import { exportAgeCganModel } from '../recipes/age-cgan/export';
import { AgeClassifierTrainer, defaultAgeClassifierConfig, groupCentres, loadAgeClassifierTrainer } from '../recipes/age-classifier/trainer';
import { loadAgeClassifier, type AgeClassifier } from '../recipes/age-classifier/model';
import { evaluateAgeClassifier, type AgeClassifierMetrics } from '../recipes/age-classifier/evaluate';
import { exportAgeClassifier } from '../recipes/age-classifier/export';
import { latestCheckpoint } from '../core/checkpoint';
import type { CycleGanTrainerOptions } from '../recipes/cyclegan/trainer';
import { readCycleGanMeta } from '../recipes/cyclegan/checkpoint';
import { loadPrototypeModel } from '../recipes/prototype/checkpoint';
import type { PrototypeOptions } from '../recipes/prototype/model';
import { descriptorLoss, loadRecognizer } from '../face/identity-loss';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { MeansTeacher } from '../stages/appearance/means-teacher';
import type { AgeTeacher } from '../nn/teacher';
import { loadAppearanceMeans } from '../stages/appearance/normalised-means';
import { DEFAULT_APPEARANCE, type AppearanceOptions } from '../stages/appearance/appearance-change';
import { newCycleGanConfig, type TrainCommandOptions, type TrainKind } from './train-options';

export { TRAIN_ARG_OPTIONS, mergeConfig, newCycleGanConfig, parseTrainOptions } from './train-options';
export type { TrainCommandOptions, TrainKind, TrainParseEnv } from './train-options';

export interface TrainCommandIo {
  control?: TrainingController;
  onProgress?: (p: TrainingProgress) => void;
  /** Description of the hardware/backend for model cards. */
  hardware?: string;
  backend?: string;
}

export interface TrainCommandResult extends RunTrainingResult {
  kind: TrainKind;
  run: string;
  trainFaces: number;
  valFaces: number;
  validation?: AgeClassifierMetrics;
  exported?: string;
}

interface Recipe {
  create: () => Promise<LoopTrainer>;
  load: (dir: string) => Promise<LoopTrainer>;
  evaluate?: (t: LoopTrainer) => Promise<Record<string, number>>;
  exportTo?: (checkpointDir: string, out: string, r: RunTrainingResult) => Promise<AgeClassifierMetrics | undefined>;
  dispose?: () => void;
}

/**
 * --teacher (the prototype to distil) and --descriptor-weight (the identity-descriptor loss), as
 * both GAN recipes load them. `descriptorNeedsTeacher`: the Age-cGAN applies the descriptor loss to
 * the shown face, which exists in teacher mode only.
 */
async function teacherParts(o: TrainCommandOptions, descriptorNeedsTeacher: boolean) {
  const teacher = o.teacher ? await loadPrototypeModel(o.teacher, (o.teacherOptions ?? {}) as Partial<PrototypeOptions>) : null;
  return withRecognizer(o, teacher, descriptorNeedsTeacher);
}

/**
 * A GAN's teacher: an engineered model folder (its shape-normalised mean faces, for a generator
 * trained on a normalised dataset, see tools/research/normalise-dataset-main.ts; the CycleGAN with
 * generator.prior 'engineered' also refines it), else a prototype folder.
 */
async function ganTeacherParts(o: TrainCommandOptions, descriptorNeedsTeacher: boolean) {
  if (o.teacher && existsSync(path.join(o.teacher, 'appearance.json'))) {
    const means = await loadAppearanceMeans(o.teacher);
    if (!means) throw new Error(`${o.teacher}: no mean faces`);
    const teacher = new MeansTeacher(means, { ...DEFAULT_APPEARANCE, ...((o.teacherOptions ?? {}) as Partial<AppearanceOptions>) });
    return withRecognizer(o, teacher, descriptorNeedsTeacher);
  }
  return teacherParts(o, descriptorNeedsTeacher);
}

async function withRecognizer<T extends AgeTeacher & { dispose(): void }>(o: TrainCommandOptions, teacher: T | null, descriptorNeedsTeacher: boolean) {
  const recognizer = o.descriptorWeight > 0 && (teacher || !descriptorNeedsTeacher) ? await loadRecognizer() : null;
  return {
    teacher,
    extraGeneratorLoss: recognizer ? descriptorLoss(recognizer, o.descriptorWeight) : null,
    dispose: () => {
      teacher?.dispose();
      recognizer?.dispose();
    },
  };
}

async function recipeFor(o: TrainCommandOptions, train: FaceDataset, val: FaceDataset | null, io: TrainCommandIo): Promise<Recipe> {
  switch (o.kind) {
    case 'cyclegan': {
      // Blurred input: the generator cannot please the teacher with pixel-level checkerboards.
      const classifier: AgeClassifier | null = o.classifier ? await loadAgeClassifier(o.classifier, { blur: true }) : null;
      const parts = await ganTeacherParts(o, false);
      const { teacher, extraGeneratorLoss } = parts;
      const opts: CycleGanTrainerOptions = {
        ...(classifier ? { classifier } : {}),
        ...(teacher ? { teacher } : {}),
        ...(extraGeneratorLoss ? { extraGeneratorLoss } : {}),
      };
      return {
        create: async () => createCycleGanTrainer(newCycleGanConfig(o), opts),
        load: (dir) => loadCycleGanTrainer(dir, opts),
        exportTo: async (dir, out) => {
          const t = await loadCycleGanTrainer(dir, opts);
          try {
            await exportCycleGanModel(t, out);
          } finally {
            t.dispose();
          }
          return undefined;
        },
        dispose: () => {
          classifier?.dispose();
          parts.dispose();
        },
      };
    }
    case 'age-cgan': {
      // --teacher: the prototype whose change G distils (config.teacherWeight, 10 if not given).
      // --descriptor-weight: identity-descriptor loss on the shown face (teacher mode only).
      const parts = await ganTeacherParts(o, true);
      const { teacher, extraGeneratorLoss } = parts;
      const opts = teacher ? { teacher, ...(extraGeneratorLoss ? { extraGeneratorLoss } : {}) } : {};
      const teacherDefaults = teacher ? { teacherWeight: 10, reconstructionWeight: 1 } : {};
      return {
        create: () => createAgeCganTrainer({ resolution: o.resolution, seed: o.seed, ...teacherDefaults, ...(o.configOverrides ?? {}) }, opts),
        load: (dir) => loadAgeCganTrainer(dir, opts),
        exportTo: async (dir, out, r) => {
          await exportAgeCganModel(dir, out, { metrics: r.losses });
          return undefined;
        },
        dispose: parts.dispose,
      };
    }
    case 'age-classifier': {
      const validate = (t: AgeClassifierTrainer) => {
        if (!val) throw new Error('the age classifier needs a validation split');
        return evaluateAgeClassifier(t.net, t.config.groups, t.config.centres, val.sequential(64));
      };
      return {
        create: async () =>
          new AgeClassifierTrainer(defaultAgeClassifierConfig(groupCentres(train.indices.map((i) => train.source.ages[i])), { resolution: o.resolution, seed: o.seed })),
        load: (dir) => loadAgeClassifierTrainer(dir),
        evaluate: val ? async (t) => ({ ...(await validate(t as AgeClassifierTrainer)) }) : undefined,
        exportTo: async (dir, out, r) => {
          const t = await loadAgeClassifierTrainer(dir);
          try {
            const m = await validate(t);
            await exportAgeClassifier(dir, out, {
              data: train.source instanceof PackedFaceSource
                ? "faces re-aligned by the studio's own aligner (the packed dataset, 128 px crops)."
                : `the images of ${o.data} as distributed (decoded and resized to 128 px; UTKFace's crop is close to, slightly tighter than, the studio's canonical crop).`,
              trainHours: r.trainSeconds / 3600,
              hardware: io.hardware ?? 'unknown',
              backend: io.backend ?? 'unknown',
              trainFaces: train.size,
              valFaces: val?.size ?? 0,
              val: m,
            });
            return m;
          } finally {
            t.dispose();
          }
        },
      };
    }
  }
}

/**
 * The CycleGAN trainer resizes whatever it is fed to its config's resolution and translates between
 * its config's age domains, so the data follow that config: a resumed run's saved one (a 128 px run
 * resumed without --resolution 128 is not fed 64 px faces scaled up), else the new run's (a --config
 * resolution beats --resolution). Until session 5 the faces were drawn from the plain defaults'
 * two domains (18-29, 60+) whatever the config said, so a five-domain recipe never saw a source
 * face aged 30-59 or under 18.
 */
async function cycleGanDataConfig(o: TrainCommandOptions): Promise<{ resolution: number; domains: AgeDomain[] }> {
  const latest = o.resume ? await latestCheckpoint(o.run) : null;
  return latest ? (await readCycleGanMeta(latest.dir)).config : newCycleGanConfig(o);
}

export async function runTrainCommand(o: TrainCommandOptions, io: TrainCommandIo = {}): Promise<TrainCommandResult> {
  const source = await openFaceSource(o.data, { size: 128, valFraction: o.valFraction }, o.dataCache ?? undefined);
  try {
    const cyc = o.kind === 'cyclegan' ? await cycleGanDataConfig(o) : null;
    const sampling = cyc ? domainSampling(cyc.domains) : {};
    const resolution = cyc ? cyc.resolution : o.resolution;
    const train = new FaceDataset(source, { split: 'train', resolution, seed: o.seed, ...sampling });
    const hasVal = Array.prototype.some.call(source.splits, (s: number) => s === 1);
    const val = hasVal ? new FaceDataset(source, { split: 'val', resolution, seed: o.seed, jitter: null, ...sampling }) : null;
    const recipe = await recipeFor(o, train, val, io);
    try {
      const result = await runTraining({
        runDir: o.run,
        create: recipe.create,
        load: recipe.load,
        data: train,
        sampleData: val ?? train,
        totalSteps: o.steps,
        batchSize: o.batch,
        seed: o.seed,
        resume: o.resume,
        checkpointEverySeconds: o.checkpointMinutes * 60,
        maxSeconds: o.maxMinutes === null ? undefined : o.maxMinutes * 60,
        sampleEvery: o.sampleEvery,
        logEvery: o.logEvery,
        // Validation of the classifier is cheap next to its training; GANs are judged by `eval` elsewhere.
        evaluate: recipe.evaluate,
        evaluateEvery: Math.max(1, Math.round(o.steps / 10)),
        control: io.control,
        onProgress: io.onProgress,
      });
      const out: TrainCommandResult = { ...result, kind: o.kind, run: o.run, trainFaces: train.size, valFaces: val?.size ?? 0 };
      if ((result.completed || result.timedOut) && o.exportDir && recipe.exportTo) {
        const ckpt = await latestCheckpoint(o.run);
        if (!ckpt) throw new Error('training completed but no checkpoint was found');
        out.validation = await recipe.exportTo(ckpt.dir, o.exportDir, result);
        out.exported = o.exportDir;
      }
      return out;
    } finally {
      recipe.dispose?.();
    }
  } finally {
    await source.close();
  }
}
