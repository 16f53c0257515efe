/**
 * The model a new session starts on: the shipped models ranked as the CLI ranks them
 * (main/cli/image-commands.ts defaultShippedModel: CycleGAN, then Age-cGAN, then the prototype),
 * else the first model listed. A user's own choice is kept by the caller; this is only the default.
 */
import type { ModelSummary } from '../../preload/contract';

const SHIPPED_RANK: readonly string[] = ['cyclegan', 'age-cgan', 'prototype'];

export function defaultModel(models: readonly ModelSummary[]): ModelSummary | null {
  const shipped = models.filter((m) => m.origin === 'shipped');
  const rank = (m: ModelSummary) => {
    const i = SHIPPED_RANK.indexOf(m.kind);
    return i < 0 ? SHIPPED_RANK.length : i;
  };
  const best = [...shipped].sort((a, b) => rank(a) - rank(b))[0];
  return best ?? models[0] ?? null;
}
