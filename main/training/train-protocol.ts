/** Messages between main (training-runs.ts) and the forked training child (main/engine/ops/train-child.ts). */

export interface FinetuneJob {
  /** Exported or checkpoint CycleGAN folder of the base model; only read, never written. */
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
  /** Multiplies the base config's identity weight (FinetuneStart.identityWeight). */
  identityWeight: number;
  backend?: 'auto' | 'wasm' | 'cpu' | 'tensorflow';
  threads?: number;
}

export type ToWorker = { type: 'start'; job: FinetuneJob } | { type: 'pause' } | { type: 'resume' } | { type: 'cancel' };

export interface WorkerProgress {
  phase: string;
  step: number;
  totalSteps: number;
  stepsPerSecond: number;
  etaSeconds: number | null;
  losses: Record<string, number>;
}

export type FromWorker =
  | { type: 'backend'; name: string; threads: number | null }
  | { type: 'progress'; progress: WorkerProgress }
  | { type: 'sample'; step: number; file: string }
  | { type: 'done'; completed: boolean; cancelled: boolean; step: number; stepsPerSecond: number; trainSeconds: number; exported: string | null }
  | { type: 'error'; message: string };
