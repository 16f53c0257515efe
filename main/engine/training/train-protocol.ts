import type { FinetuneSpec } from '../../../models/training/finetune-spec';

/** Messages between main (training-runs.ts) and the forked training child (main/engine/ops/train-child.ts). */

/** The fine-tune recipe's inputs (models/training/finetune.ts) plus the child's backend. */
export interface FinetuneJob extends FinetuneSpec {
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
