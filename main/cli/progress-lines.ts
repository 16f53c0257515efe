/**
 * Progress lines of `face-age train` and `face-age finetune` on stderr (stdout carries only the
 * final result): text, or one JSON object per line with --json.
 */
import type { WorkerProgress } from '../engine/training/train-protocol';

/** The training child's progress shape, which `train` fills from models/train's TrainingProgress too. */
export type ProgressLine = WorkerProgress;

export function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
}

export function formatProgress(p: ProgressLine): string {
  const losses = Object.entries(p.losses)
    .map(([k, v]) => `${k}=${v.toFixed(3)}`)
    .join(' ');
  return `${p.phase} step ${p.step}/${p.totalSteps}  ${p.stepsPerSecond.toFixed(2)} steps/s  ETA ${formatEta(p.etaSeconds)}${losses ? `  ${losses}` : ''}`;
}

/** A writer that prints one line per new step (phases other than 'training' always). */
export function progressPrinter(json: boolean, write: (line: string) => void): (p: ProgressLine) => void {
  let last = -1;
  return (p) => {
    if (p.phase === 'training' && p.step === last) return;
    if (p.phase === 'training') last = p.step;
    write(json ? JSON.stringify({ event: 'progress', ...p }) : formatProgress(p));
  };
}

/** Calls `stop` on the first SIGINT/SIGTERM; returns the function that removes the handlers. */
export function onInterrupt(stop: (signal: string) => void): () => void {
  const handler = (signal: NodeJS.Signals) => stop(signal);
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
