/**
 * The CycleGAN's fine-tune recipe on one person's aligned faces (issue 10), the numbers and the
 * changes to the base's config; training/finetune-cyclegan.ts runs it.
 *
 * On top of the base's own config: no reconstruction ramp (the base already ages), half the base
 * learning rate decaying linearly over the second half, the identity L1 scaled by identityWeight,
 * plus an identity-descriptor loss (face/identity-loss.ts) on every translated face. Speed for the
 * 15-minute budget on 2 CPU cores (measured by tools/bench/finetune-bench.ts): the first
 * `lowResShare` of the steps run at half resolution, and the generator's encoder (stem + strided
 * convs) is frozen: a person's photos change what the age edit should keep, not how faces are encoded.
 */
import { FINETUNE_DEFAULT_STEPS } from '../../../shared/training-defaults';
import { DEFAULT_DESCRIPTOR_WEIGHT } from '../../face/identity-loss';
import type { AgeDomain, CycleGanConfig } from './config';
import type { CycleGanTrainer } from './trainer';

/** What finetuneConfig needs of a fine-tune request. */
export interface CycleGanFinetuneRequest {
  steps: number;
  batch: number;
  seed: number;
  /** Multiplies the base config's identity (L1) weight. */
  identityWeight: number;
  /** Share of the steps trained at half resolution (only for bases of 128 px and more). */
  lowResShare?: number;
}

/** Defaults a person never has to tune (see finetune-bench.ts for the time they take). */
export const FINETUNE_DEFAULTS = {
  steps: FINETUNE_DEFAULT_STEPS.cyclegan,
  batch: 1,
  identityWeight: 1,
  descriptorWeight: DEFAULT_DESCRIPTOR_WEIGHT,
  lowResShare: 0.5,
  freezeEncoder: true,
} as const;

export function finetuneConfig(base: CycleGanConfig, spec: CycleGanFinetuneRequest): CycleGanConfig {
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
