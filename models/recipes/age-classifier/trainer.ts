/**
 * Training recipe of the age classifier, shaped as a Trainer so the generic loop
 * (models/training/run-training.ts) gives it checkpoints, resume, metrics and progress for free.
 * Loss: cross-entropy against soft labels (the mass of N(age, sigma^2) in each group), which
 * tells the net that 29 is close to 30 and keeps its expected age continuous.
 */
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FaceBatch, LoopTrainer, SampleGrid, TrainerParts } from '../../core/trainer';
import { DEFAULT_AGE_GROUPS, softAgeLabel, type AgeGroups } from '../../data/age-bins';
import { writeFileAtomic } from '../../core/atomic-write';
import { loadParts, saveParts } from '../../core/checkpoint';

/** The optimizer file of checkpoints written before the names were unified. */
const LEGACY_OPTIMIZER_FILE = 'age-classifier-adam';
import { AgeClassifierNet, DEFAULT_NET_CONFIG, type AgeClassifierNetConfig } from './networks';
import { renderPredictionGrid } from './sample-grid';

export interface AgeClassifierConfig {
  net: AgeClassifierNetConfig;
  groups: AgeGroups;
  /** Mean labelled age of each group in the training data: expectedAge = sum p_g * centre_g. */
  centres: number[];
  /** Resolution of the training batches (the net resizes other sizes to net.inputSize). */
  resolution: number;
  labelSigma: number;
  learningRate: number;
  /** L2 weight decay added to the loss. */
  weightDecay: number;
  seed: number;
}

export function defaultAgeClassifierConfig(centres: number[], overrides: Partial<AgeClassifierConfig> = {}): AgeClassifierConfig {
  return {
    net: { ...DEFAULT_NET_CONFIG, groups: DEFAULT_AGE_GROUPS.edges.length },
    groups: DEFAULT_AGE_GROUPS,
    centres,
    resolution: 64,
    labelSigma: 3,
    learningRate: 1e-3,
    weightDecay: 1e-5,
    seed: 7,
    ...overrides,
  };
}

/** Mean age of the faces in each group (the group's midpoint when it has no faces). */
export function groupCentres(ages: ArrayLike<number>, groups: AgeGroups = DEFAULT_AGE_GROUPS): number[] {
  const e = groups.edges;
  const sum = new Array<number>(e.length).fill(0);
  const n = new Array<number>(e.length).fill(0);
  for (let i = 0; i < ages.length; i++) {
    let g = 0;
    while (g + 1 < e.length && ages[i] >= e[g + 1]) g++;
    sum[g] += ages[i];
    n[g]++;
  }
  return e.map((lo, g) => (n[g] ? sum[g] / n[g] : g + 1 < e.length ? (lo + e[g + 1]) / 2 : lo + 8));
}

const CONFIG_FILE = 'age-classifier-config.json';

export class AgeClassifierTrainer implements LoopTrainer {
  readonly kind = 'age-classifier';
  readonly lossNames = ['ce', 'acc'] as const;
  readonly visualNames = ['input', 'prediction'] as const;
  readonly net: AgeClassifierNet;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly centres: tf.Tensor1D;
  private stepCount = 0;

  constructor(readonly config: AgeClassifierConfig) {
    this.net = new AgeClassifierNet(config.net, config.seed);
    this.optimizer = tf.train.adam(config.learningRate, 0.9, 0.999);
    this.centres = tf.tensor1d(config.centres);
  }

  get step(): number {
    return this.stepCount;
  }

  get resolution(): number {
    return this.config.resolution;
  }

  async trainStep(batch: FaceBatch, readLosses: boolean): Promise<Record<string, number>> {
    const labels = new Float32Array(batch.ages.length * this.config.centres.length);
    batch.ages.forEach((a, i) => labels.set(softAgeLabel(a, this.config.labelSigma, this.config.groups), i * this.config.centres.length));
    const target = tf.tensor2d(labels, [batch.ages.length, this.config.centres.length]);
    let acc: tf.Scalar | null = null;
    const vars = this.net.params.variables();
    const loss = this.optimizer.minimize(() => {
      const logits = this.net.logits(batch.images);
      const ce = tf.mean(tf.sum(tf.mul(target, tf.neg(tf.logSoftmax(logits))), 1)) as tf.Scalar;
      if (readLosses) {
        acc = tf.keep(tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(target, 1)), 'float32')) as tf.Scalar);
      }
      if (this.config.weightDecay <= 0) return ce;
      const l2 = tf.addN(vars.filter((v) => v.rank > 1).map((v) => tf.sum(tf.square(v))));
      return tf.add(ce, tf.mul(l2, this.config.weightDecay)) as tf.Scalar;
    }, readLosses, vars);
    target.dispose();
    this.stepCount++;
    if (!readLosses) return {};
    const out = { ce: (await loss!.data())[0], acc: (await (acc as tf.Scalar | null)!.data())[0] };
    loss!.dispose();
    (acc as tf.Scalar | null)?.dispose();
    return out;
  }

  async sampleGrid(batch: FaceBatch): Promise<SampleGrid> {
    const probs = tf.tidy(() => tf.softmax(this.net.logits(batch.images)));
    const p = (await probs.data()) as Float32Array;
    probs.dispose();
    return renderPredictionGrid(batch, p, this.config.groups);
  }

  checkpointParts(): TrainerParts {
    return { networks: [this.net.params], optimizers: { [this.net.params.name]: this.optimizer } };
  }

  async save(dir: string, extra: { metrics?: Record<string, number>; totalSteps?: number; completed?: boolean } = {}): Promise<void> {
    await saveParts(dir, this.checkpointParts());
    await writeAgeClassifierConfig(dir, this.config, {
      step: this.stepCount,
      totalSteps: extra.totalSteps ?? this.stepCount,
      completed: extra.completed ?? false,
      metrics: extra.metrics ?? {},
    });
  }

  /** Restores weights, optimizer state and step from a folder written by save(). */
  async load(dir: string): Promise<void> {
    await loadParts(dir, this.checkpointParts(), { [this.net.params.name]: LEGACY_OPTIMIZER_FILE });
    const stored = await readAgeClassifierConfig(dir);
    this.stepCount = stored.step;
  }

  dispose(): void {
    this.net.dispose();
    this.optimizer.dispose();
    this.centres.dispose();
  }
}

export interface StoredClassifierConfig {
  format: 'face-age-classifier';
  version: 1;
  config: AgeClassifierConfig;
  step: number;
  totalSteps: number;
  completed: boolean;
  metrics: Record<string, number>;
  updatedAt: string;
}

export async function writeAgeClassifierConfig(
  dir: string,
  config: AgeClassifierConfig,
  s: { step: number; totalSteps: number; completed: boolean; metrics: Record<string, number> },
): Promise<void> {
  const stored: StoredClassifierConfig = { format: 'face-age-classifier', version: 1, config, ...s, updatedAt: new Date().toISOString() };
  await writeFileAtomic(path.join(dir, CONFIG_FILE), JSON.stringify(stored, null, 1));
}

export async function readAgeClassifierConfig(dir: string): Promise<StoredClassifierConfig> {
  const s = JSON.parse(await fs.readFile(path.join(dir, CONFIG_FILE), 'utf8')) as StoredClassifierConfig;
  if (s.format !== 'face-age-classifier' || s.version !== 1) throw new Error(`${dir}/${CONFIG_FILE} is not an age-classifier config`);
  return s;
}

/** A trainer restored from a checkpoint folder (for runTraining's `load`). */
export async function loadAgeClassifierTrainer(dir: string): Promise<AgeClassifierTrainer> {
  const stored = await readAgeClassifierConfig(dir);
  const t = new AgeClassifierTrainer(stored.config);
  try {
    await t.load(dir);
  } catch (e) {
    t.dispose();
    throw e;
  }
  return t;
}
