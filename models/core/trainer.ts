/**
 * The contract every trainable face-aging model honours, so the training loop, the CLI, the
 * dashboard and checkpointing treat Age-cGAN and CycleGAN alike (cf. BaseModel in
 * pytorch-CycleGAN-and-pix2pix: loss_names / visual_names / model_names).
 *
 * Images crossing these interfaces are aligned face crops, NHWC float32 in [-1, 1], RGB.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '../nn/params';

export type ModelKind = 'age-cgan' | 'cyclegan';

/** One training batch: aligned faces [N, R, R, 3] in [-1, 1] and their labelled ages in years. */
export interface FaceBatch {
  images: tf.Tensor4D;
  ages: Float32Array;
}

/** A picture for the dashboard: rows x cols tiles, RGB bytes row-major. */
export interface SampleGrid {
  width: number;
  height: number;
  rgb: Uint8Array;
  /** Label of each column (e.g. "input", "age 20", "age 60", "cycle"). */
  columns: string[];
}

/** Written beside every checkpoint so any checkpoint can be reloaded and reproduced. */
export interface CheckpointMeta<Config = unknown> {
  format: 'face-age-checkpoint';
  version: 1;
  kind: ModelKind;
  config: Config;
  step: number;
  totalSteps: number;
  completed: boolean;
  /** Last logged value of each loss. */
  losses: Record<string, number>;
  metrics: Record<string, number>;
  createdAt: string;
  updatedAt: string;
  codeVersion: string;
}

/**
 * What a checkpoint holds of a trainer (core/checkpoint.ts saveParts / loadParts): its networks,
 * each written as `<store name>.json/.bin` (G, D, E, ...), and the optimizer of each trained
 * network, written as `optim-<network>.json/.bin`.
 */
export interface TrainerParts {
  networks: readonly ParamStore[];
  optimizers: Readonly<Record<string, tf.Optimizer>>;
}

export interface Trainer<Config = unknown> {
  readonly kind: ModelKind;
  readonly config: Config;
  readonly lossNames: readonly string[];
  readonly visualNames: readonly string[];
  /** Optimisation steps done so far (restored by load). */
  readonly step: number;
  /** The faces' resolution this trainer wants in batches. */
  readonly resolution: number;
  /**
   * One optimisation step (all networks). Does not dispose `batch`. When `readLosses` is false
   * the scalars stay on the device (return {}), so hot loops avoid a sync every step.
   */
  trainStep(batch: FaceBatch, readLosses: boolean): Promise<Record<string, number>>;
  /** A grid of sample outputs for the given faces (visualNames as columns). */
  sampleGrid(batch: FaceBatch): Promise<SampleGrid>;
  /** The networks and optimizers this trainer trains (what a checkpoint holds besides meta). */
  checkpointParts(): TrainerParts;
  /** Writes weights (+ optimizer state) and meta atomically into dir. */
  save(dir: string, extra?: { metrics?: Record<string, number>; totalSteps?: number; completed?: boolean }): Promise<void>;
  dispose(): void;
}

/** Any Trainer; `kind` is widened so non-GAN trainers (the age classifier) use the same loop. */
export type LoopTrainer = Omit<Trainer, 'kind'> & { readonly kind: string };

/** What inference needs from a trained model, whatever its kind. */
export interface AgingModel {
  readonly kind: ModelKind;
  readonly resolution: number;
  /**
   * Ages aligned faces [N, R, R, 3] in [-1, 1] from sourceAge to targetAge (years, continuous).
   * Returns the output and, when the model does not reproduce its input exactly, its
   * reconstruction at the source age, so paste-back can transfer only the change.
   */
  age(
    faces: tf.Tensor4D,
    sourceAge: number,
    targetAge: number,
    opts?: { signal?: AbortSignal },
  ): Promise<{ output: tf.Tensor4D; reconstruction: tf.Tensor4D | null }>;
  dispose(): void;
}

/**
 * What evaluation, the engine and the stages need of a model: AgingModel with any kind (a stage
 * wrapper or the prototype are models too).
 */
export type EvaluableModel = Pick<AgingModel, 'resolution' | 'age' | 'dispose'> & { readonly kind: string };
