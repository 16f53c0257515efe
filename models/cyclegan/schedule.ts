/** Step-indexed schedules of the recipe: pure functions of (config, step). */
import type { CycleGanConfig } from './config';

/** CycleGAN's "linear" policy: constant lr, then linear decay to 0 over decaySteps. */
export function learningRateAt(c: CycleGanConfig, step: number): number {
  const { lr, constantSteps, decaySteps } = c.optim;
  if (step < constantSteps) return lr;
  if (decaySteps <= 0) return lr;
  return lr * Math.max(0, 1 - (step - constantSteps) / (decaySteps + 1));
}

/** Multiplier of the cycle and identity weights: reconRampFrom before the ramp, 1 after it. */
export function reconRampAt(c: CycleGanConfig, step: number): number {
  const { reconRampFrom, reconRampStart, reconRampSteps } = c.loss;
  if (step < reconRampStart) return reconRampFrom;
  if (reconRampSteps <= 0) return 1;
  const t = Math.min(1, (step - reconRampStart) / reconRampSteps);
  return reconRampFrom + (1 - reconRampFrom) * t;
}

/** Training resolution at `step` (progressive: small first, then the final resolution). */
export function resolutionAt(c: CycleGanConfig, step: number): number {
  for (const s of c.resolutionSchedule) if (step < s.untilStep) return s.resolution;
  return c.resolution;
}
