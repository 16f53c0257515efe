/**
 * A fine-tune request as TrainingRuns takes it, and the messages between main (training-runs.ts)
 * and the forked training child (main/engine/ops/train-child.ts).
 */
import type { FinetuneSpec } from '../../../models/training/finetune-spec';

export interface FinetuneStart {
  baseModelId: number;
  photoIds: number[];
  /** Absent: FINETUNE_DEFAULT_STEPS of the base's kind. */
  steps?: number;
  name?: string;
  identityWeight?: number;
  batch?: number;
  sampleEvery?: number;
  /** Recipe knobs of models/training/finetune.ts (its FINETUNE_DEFAULTS when absent). */
  descriptorWeight?: number;
  lowResShare?: number;
  freezeEncoder?: boolean;
}

/** A fine-tune request with its steps settled (the request's, else the base kind's default). */
export type SettledFinetune = FinetuneStart & { steps: number };

/** The fine-tune recipe's inputs (models/training/finetune.ts) plus the child's backend. */
export interface FinetuneJob extends FinetuneSpec {
  backend?: 'auto' | 'wasm' | 'cpu' | 'tensorflow';
  threads?: number;
}

/** cancel's keep: export the latest checkpoint as a completed run's export (absent: discard it). */
export type ToWorker = { type: 'start'; job: FinetuneJob } | { type: 'pause' } | { type: 'resume' } | { type: 'cancel'; keep?: boolean };

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
