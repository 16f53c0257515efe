/**
 * Fine-tuning a base model on one person's aligned faces (issue 10): runFinetune reads the base
 * folder's meta.json and dispatches by kind, to the Age-cGAN recipe (finetune-age-cgan.ts) or to
 * the CycleGAN recipe below.
 *
 * The fine-tune recipe for a CycleGAN base on one person's aligned faces, shared by the
 * studio's training child (main/engine/ops/train-child.ts), `face-age finetune` (through the
 * same child) and the fine-tune benchmark. The caller has chosen the backend.
 *
 * On top of the base's own config: no reconstruction ramp (the base already ages), half the base
 * learning rate decaying linearly over the second half, the identity L1 scaled by identityWeight,
 * plus an identity-descriptor loss (finetune-identity.ts) on every translated face. Speed for the
 * 15-minute budget on 2 CPU cores (measured by finetune-bench.ts): the first `lowResShare` of the
 * steps run at half resolution, and the generator's encoder (stem + strided convs) is frozen:
 * a person's photos change what the age edit should keep, not how faces are encoded.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createCycleGanTrainer, exportCycleGanModel, loadCycleGanTrainer } from '../recipes/cyclegan/export';
import { loadPrior, readCycleGanMeta } from '../recipes/cyclegan/checkpoint';
import type { AgeDomain, CycleGanConfig } from '../recipes/cyclegan/config';
import type { CycleGanTrainer, CycleGanTrainerOptions } from '../recipes/cyclegan/trainer';
import type { FaceRecognizer } from '../face/identity-net';
import { FaceDataset } from '../data/face-dataset';
import { openFaceSource } from '../data/packed-source';
import { runTraining, type TrainingProgress } from './run-training';
import { domainSampling } from './train-command';
import type { TrainingController } from './training-control';
import { latestCheckpoint } from '../core/checkpoint';
import { FINETUNE_DEFAULT_STEPS } from '../../preload/schemas/training';
import { DEFAULT_DESCRIPTOR_WEIGHT, descriptorLoss, loadRecognizer } from '../face/identity-loss';
import { loadAgeClassifier, type AgeClassifier } from '../recipes/age-classifier/model';
import { AGE_CGAN_FINETUNE_DEFAULTS, runAgeCganFinetune } from '../recipes/age-cgan/finetune';
import { finetuneLoopOptions, finishFinetune } from './finetune-loop';

export interface FinetuneSpec {
  /** Exported or checkpoint folder of the base model (CycleGAN or Age-cGAN); only read, never written. */
  baseDir: string;
  /** Aligned face crops + labels.csv (file,age). */
  dataDir: string;
  /** Checkpoints, samples and metrics of this run. */
  runDir: string;
  /** Where the fine-tuned generator is exported when the run completes. */
  exportDir: string;
  steps: number;
  batch: number;
  sampleEvery: number;
  seed: number;
  /** Multiplies the base config's identity (L1) weight. */
  identityWeight: number;
  /** Weight of 1 - cos(descriptor(fake), descriptor(input)); 0 disables it. Default DEFAULT_DESCRIPTOR_WEIGHT. */
  descriptorWeight?: number;
  /** Share of the steps trained at half resolution (only for bases of 128 px and more). */
  lowResShare?: number;
  /** Freeze the generator's stem and downsampling convs. Default true. */
  freezeEncoder?: boolean;
  /**
   * Frozen age classifier folder (the shipped assets/models/age-classifier) for the base's own
   * G_age term. Without it nothing but the GAN loss asks for an age change, and identity, cycle and
   * descriptor losses pull the generator to the identity map (measured: a 150-step fine-tune
   * without it stopped ageing altogether).
   */
  classifierDir?: string | null;
  /**
   * Age-cGAN bases: the prototype folder whose change the base distilled (its teacher term).
   * Absent: assets/models/prototype from the working directory if present; null: no teacher term.
   */
  teacherDir?: string | null;
  /** Age-cGAN bases: Adam learning rate of G and E (default AGE_CGAN_FINETUNE_DEFAULTS.lr). */
  lr?: number;
  /** Age-cGAN bases: weight of the anchor to the base's behaviour (default AGE_CGAN_FINETUNE_DEFAULTS.anchorWeight). */
  anchorWeight?: number;
  /** Age-cGAN bases: prior latents per step in the anchor (default AGE_CGAN_FINETUNE_DEFAULTS.anchorPrior). */
  anchorPrior?: number;
}

/**
 * How often a fine-tune checkpoints: every `steps` steps or `seconds` seconds, whichever comes
 * first, so a killed child loses at most that much. Measured by checkpoint-bench.ts at 128 px on
 * wasm (2 shared cores): a checkpoint (33 MB: G, D, Adam moments, pool) takes ~230 ms, a
 * full-resolution step ~4.5 s and a half-resolution step about a quarter of that, so this costs
 * at most ~2-5% of training time and bounds the loss to ~10-30 s (it was 120 s).
 */
export const FINETUNE_CHECKPOINT = { steps: 10, seconds: 30 } as const;

/** Defaults a person never has to tune (see finetune-bench.ts for the time they take). */
export const FINETUNE_DEFAULTS = {
  steps: FINETUNE_DEFAULT_STEPS.cyclegan,
  batch: 1,
  identityWeight: 1,
  descriptorWeight: DEFAULT_DESCRIPTOR_WEIGHT,
  lowResShare: 0.5,
  freezeEncoder: true,
} as const;

export interface FinetuneResult {
  completed: boolean;
  cancelled: boolean;
  step: number;
  stepsPerSecond: number;
  trainSeconds: number;
  /** exportDir once completed, else null. */
  exported: string | null;
  /** Generator variables left trainable / frozen. */
  trainableVars: number;
  frozenVars: number;
  /** Whether the frozen age classifier's loss was on. */
  ageClassifier: boolean;
  /** The base's kind (the recipe that ran). */
  kind: 'cyclegan' | 'age-cgan';
  /** Age-cGAN: whether the teacher term was on. */
  teacher?: boolean;
}

export interface FinetuneHooks {
  control?: TrainingController;
  onProgress?: (p: TrainingProgress) => void;
  /** A new sample grid PNG was written. */
  onSample?: (step: number, file: string) => void;
}

export function finetuneConfig(base: CycleGanConfig, spec: Pick<FinetuneSpec, 'steps' | 'batch' | 'identityWeight' | 'seed' | 'lowResShare'>): CycleGanConfig {
  const half = Math.max(1, Math.floor(spec.steps / 2));
  const lowSteps = Math.floor(spec.steps * (spec.lowResShare ?? FINETUNE_DEFAULTS.lowResShare));
  const low = base.resolution / 2;
  const divisor = 2 ** base.generator.nDown;
  const lowOk = base.resolution >= 128 && low % divisor === 0 && lowSteps > 0;
  return {
    ...base,
    resolutionSchedule: lowOk ? [{ untilStep: lowSteps, resolution: low }] : [],
    batchSize: spec.batch,
    seed: spec.seed,
    loss: { ...base.loss, reconRampStart: 0, reconRampSteps: 0, identity: base.loss.identity * spec.identityWeight },
    optim: { ...base.optim, lr: base.optim.lr * 0.5, constantSteps: Math.max(0, spec.steps - half), decaySteps: half },
  };
}

/** A person's photos may all lie between domains; pull each label into the nearest domain. */
export function clampToDomains(age: number, domains: readonly AgeDomain[]): number {
  let best = age;
  let bestGap = Infinity;
  for (const d of domains) {
    const inside = Math.min(Math.max(age, d.min), d.max ?? Infinity);
    const gap = Math.abs(inside - age);
    if (gap < bestGap) {
      best = inside;
      bestGap = gap;
    }
  }
  return best;
}

async function clampLabels(dataDir: string, domains: readonly AgeDomain[]): Promise<void> {
  const file = path.join(dataDir, 'labels.csv');
  const [head, ...rows] = (await fs.readFile(file, 'utf8')).trim().split(/\r?\n/);
  const out = rows.map((r) => {
    const [name, age] = r.split(',');
    return `${name},${clampToDomains(Number(age), domains)}`;
  });
  await fs.writeFile(file, [head, ...out].join('\n') + '\n');
}

/**
 * Marks the encoder's variables non-trainable (tf's variableGrads skips them, so neither their
 * gradients nor Adam moments are computed). Same set on create and on resume, so Adam's moments
 * (kept by position) line up with a checkpoint. Returns the number frozen.
 */
export function freezeGeneratorEncoder(t: CycleGanTrainer): number {
  let n = 0;
  for (const name of t.gen.params.names()) {
    if (/^(stem|down\d+)\./.test(name)) {
      t.gen.params.get(name).trainable = false;
      n++;
    }
  }
  return n;
}

/** The default number of fine-tune steps for a base of this kind ('age-cgan', 'cyclegan'). */
export function defaultFinetuneSteps(kind: string): number {
  return kind === 'age-cgan' ? AGE_CGAN_FINETUNE_DEFAULTS.steps : FINETUNE_DEFAULTS.steps;
}

/** The kind recorded in a model folder's meta.json ('cyclegan', 'age-cgan', ...). */
export async function modelFolderKind(dir: string): Promise<string> {
  let meta: { kind?: unknown };
  try {
    meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as { kind?: unknown };
  } catch (e) {
    throw new Error(`${dir} is not a model folder (${(e as Error).message})`, { cause: e });
  }
  return String(meta.kind);
}

/** Fine-tunes the base in spec.baseDir with the recipe of its kind. */
export async function runFinetune(spec: FinetuneSpec, hooks: FinetuneHooks = {}): Promise<FinetuneResult> {
  const kind = await modelFolderKind(spec.baseDir);
  if (kind === 'age-cgan') return runAgeCganFinetune(spec, hooks);
  if (kind !== 'cyclegan') throw new Error(`fine-tuning ${kind} models is not supported (only cyclegan and age-cgan)`);
  return runCycleGanFinetune(spec, hooks);
}

async function runCycleGanFinetune(spec: FinetuneSpec, hooks: FinetuneHooks): Promise<FinetuneResult> {
  const meta = await readCycleGanMeta(spec.baseDir);
  const config = finetuneConfig(meta.config, spec);
  const freeze = spec.freezeEncoder ?? FINETUNE_DEFAULTS.freezeEncoder;
  const weight = spec.descriptorWeight ?? FINETUNE_DEFAULTS.descriptorWeight;
  await clampLabels(spec.dataDir, config.domains);
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
    prior?.dispose();
  }
}
