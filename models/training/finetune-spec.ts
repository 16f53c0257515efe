/**
 * What a fine-tune run is asked for and what it answers, whatever the base's kind: the studio's
 * training child, `face-age finetune` and the benchmarks fill a FinetuneSpec; the recipe of the
 * base's kind (finetune-cyclegan.ts, finetune-age-cgan.ts) runs it through runTraining.
 */
import type { TrainingProgress } from './run-training';
import type { TrainingController } from './training-control';

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

export interface FinetuneResult {
  completed: boolean;
  cancelled: boolean;
  step: number;
  stepsPerSecond: number;
  trainSeconds: number;
  /** exportDir once completed (or cancelled after a step with keepOnCancel), else null. */
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
  /**
   * Asked once a cancelled run has stopped: true exports its latest checkpoint to exportDir as a
   * completed run's is (nothing is exported when no step was trained).
   */
  keepOnCancel?: () => boolean;
}

