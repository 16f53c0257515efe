/**
 * Pure folding of what main reports about runs: the list, run-state events and progress events
 * merge into one view per run, so the dashboard shows main's truth (a run keeps going when the
 * window closes; reopening rebuilds this view from training:list and the events that follow).
 */
import type { Run, TrainingProgressEvent } from '../../../../preload/contract';

export interface LiveRun extends Run {
  stepsPerSec: number | null;
  etaSec: number | null;
}

export const ACTIVE_STATES: ReadonlySet<Run['state']> = new Set(['queued', 'running', 'paused']);

/**
 * A report without losses (training:list carries none; a state event may not) keeps the losses
 * already known: otherwise a cancelled run's list item fell back to "no metrics yet".
 */
const lossesOr = (next: Record<string, number>, known: Record<string, number> | undefined) => (Object.keys(next).length > 0 || !known ? next : known);

export function fromList(runs: readonly Run[], prev: readonly LiveRun[] = []): LiveRun[] {
  return runs.map((r) => {
    const old = prev.find((p) => p.runId === r.runId);
    return { ...r, lastLosses: lossesOr(r.lastLosses, old?.lastLosses), stepsPerSec: old?.stepsPerSec ?? null, etaSec: old?.etaSec ?? null };
  });
}

/** A run-state event replaces the run (or adds it at the top). */
export function applyRunState(runs: readonly LiveRun[], run: Run): LiveRun[] {
  const i = runs.findIndex((r) => r.runId === run.runId);
  if (i < 0) return [{ ...run, stepsPerSec: null, etaSec: null }, ...runs];
  const next = [...runs];
  const old = runs[i]!;
  // Progress may be ahead of a state event sent earlier; never move the step backwards.
  next[i] = { ...old, ...run, lastLosses: lossesOr(run.lastLosses, old.lastLosses), step: Math.max(old.step, run.step), stepsPerSec: ACTIVE_STATES.has(run.state) ? old.stepsPerSec : null, etaSec: run.state === 'running' ? old.etaSec : null };
  return next;
}

export function applyProgress(runs: readonly LiveRun[], p: TrainingProgressEvent): LiveRun[] {
  const i = runs.findIndex((r) => r.runId === p.runId);
  if (i < 0) return [...runs];
  const next = [...runs];
  const old = runs[i]!;
  next[i] = {
    ...old,
    state: p.state,
    step: Math.max(old.step, p.step),
    steps: p.steps,
    lastLosses: p.losses,
    stepsPerSec: p.stepsPerSec,
    etaSec: p.etaSec,
  };
  return next;
}

export function progressPercent(r: Pick<Run, 'step' | 'steps'>): number {
  return r.steps > 0 ? Math.min(100, (100 * r.step) / r.steps) : 0;
}

/**
 * Speed and time left for the dashboard: the latest progress event's, else (the tab was left and
 * the run list reloaded without them) the last logged speed in the run's history, with the time
 * left worked out from the steps to go.
 */
export function liveSpeed(run: LiveRun, history: readonly HistoryPoint[]): { stepsPerSec: number | null; etaSec: number | null } {
  if (run.stepsPerSec !== null) return { stepsPerSec: run.stepsPerSec, etaSec: run.etaSec };
  const logged = [...history].reverse().find((h) => Number.isFinite(h.stepsPerSec) && h.stepsPerSec > 0)?.stepsPerSec ?? null;
  if (logged === null || !ACTIVE_STATES.has(run.state)) return { stepsPerSec: null, etaSec: null };
  return { stepsPerSec: logged, etaSec: Math.max(0, run.steps - run.step) / logged };
}

export interface HistoryPoint {
  step: number;
  losses: Record<string, number>;
  stepsPerSec: number;
}

const hasLosses = (losses: Record<string, number>) => Object.values(losses).some(Number.isFinite);

/**
 * Appends a progress event to a loss history, keeping steps increasing and the series bounded.
 * Events without losses (a run's "started" report at step 0) are not points: counted as one, a
 * chart of [empty, first losses] had two points and drew no line at all.
 */
export function appendHistory(history: readonly HistoryPoint[], p: TrainingProgressEvent, max = 2000): HistoryPoint[] {
  if (!hasLosses(p.losses)) return history as HistoryPoint[];
  const last = history[history.length - 1];
  if (last && p.step <= last.step) return history as HistoryPoint[];
  const next = [...history, { step: p.step, losses: p.losses, stepsPerSec: p.stepsPerSec }];
  if (next.length <= max) return next;
  // Thin the older half so the chart keeps its shape with a bounded number of points.
  const half = Math.floor(next.length / 2);
  return [...next.slice(0, half).filter((_, i) => i % 2 === 0), ...next.slice(half)];
}

/** Chart series: one per loss name, aligned on the step axis (null where a loss was not logged). */
export function lossSeries(all: readonly HistoryPoint[]): { steps: number[]; series: { name: string; data: (number | null)[] }[] } {
  const history = all.filter((h) => hasLosses(h.losses));
  const names = [...new Set(history.flatMap((h) => Object.keys(h.losses)))].sort();
  return {
    steps: history.map((h) => h.step),
    series: names.map((name) => ({ name, data: history.map((h) => (Number.isFinite(h.losses[name]) ? h.losses[name]! : null)) })),
  };
}
