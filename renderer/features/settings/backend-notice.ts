/**
 * When the engine runs on another backend than the one chosen in Settings, say so and why (the
 * engine reports each backend it tried before the one in use, with the reason it could not start).
 */
import type { EngineStatus, Settings } from '../../../preload/contract';

export function backendFallbackNotice(chosen: Settings['backendOverride'] | undefined, status: EngineStatus | null): string | null {
  if (!chosen || chosen === 'auto' || !status?.backend || status.backend === chosen) return null;
  const tried = status.fallbacks.find((f) => f.startsWith(`${chosen}:`));
  const why = tried ? tried.slice(chosen.length + 1).trim() : 'it could not start on this machine';
  const hint =
    chosen === 'tensorflow-gpu'
      ? ' It needs the optional @tensorflow/tfjs-node-gpu package and an NVIDIA GPU with CUDA.'
      : chosen === 'tensorflow'
        ? ' It needs the optional @tensorflow/tfjs-node package.'
        : '';
  return `You chose ${chosen}, but the engine runs on ${status.backend}: ${chosen} did not start (${why}).${hint}`;
}
