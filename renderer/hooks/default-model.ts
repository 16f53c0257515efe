/**
 * The model a new session starts on: the shipped SHIPPED_DEFAULT_NAME, else the best shipped model
 * by SHIPPED_MODEL_RANK (the CLI's default uses the same order), else the first model listed. A
 * user's own choice is kept by the caller; this is only the default.
 */
import { SHIPPED_DEFAULT_NAME, SHIPPED_MODEL_RANK, type ModelSummary } from '../../preload/contract';

export function defaultModel(models: readonly ModelSummary[]): ModelSummary | null {
  const shipped = models.filter((m) => m.origin === 'shipped');
  const preferred = shipped.find((m) => m.name === SHIPPED_DEFAULT_NAME);
  if (preferred) return preferred;
  const rank = (m: ModelSummary) => {
    const i = SHIPPED_MODEL_RANK.indexOf(m.kind);
    return i < 0 ? SHIPPED_MODEL_RANK.length : i;
  };
  const best = [...shipped].sort((a, b) => rank(a) - rank(b))[0];
  return best ?? models[0] ?? null;
}
