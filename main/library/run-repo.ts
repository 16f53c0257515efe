import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { LibraryError, toLibraryError } from './errors';
import { getModelRow } from './model-repo';
import { withReserve } from './space-reserve';
import {
  type LibraryContext,
  type RunRow,
  type SampleRow,
  extensionFor,
  notFound,
  toRun,
  toSample,
} from './rows';
import type { CreateRunInput, MetricPoint, MetricSeries, Run, RunSample, RunStatus } from './types';

// Training runs: a status machine, progress appended as (run, name, step, value) rows in
// run_metrics (one small insert per value instead of rewriting a JSON series), sample grids as
// files in the store.

const TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['paused', 'completed', 'failed', 'cancelled', 'interrupted'],
  paused: ['running', 'cancelled', 'failed'],
  interrupted: ['running', 'cancelled', 'failed'],
  completed: [],
  failed: [],
  cancelled: [],
};

const TERMINAL = new Set<RunStatus>(['completed', 'failed', 'cancelled']);

export function getRun(ctx: LibraryContext, id: number): Run {
  const row = ctx.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
  if (!row) throw notFound('Run', id);
  return toRun(row);
}

export function createRun(ctx: LibraryContext, input: CreateRunInput): Run {
  if (!Number.isInteger(input.totalSteps) || input.totalSteps <= 0) {
    throw new LibraryError('invalid-input', `totalSteps must be a positive integer (got ${input.totalSteps}).`);
  }
  if (input.parentModelId != null && getModelRow(ctx, input.parentModelId).kind !== input.kind) {
    throw new LibraryError('invalid-input', `Model ${input.parentModelId} is not a ${input.kind} model.`);
  }
  const now = ctx.now();
  try {
    const r = ctx.db
      .prepare(
        `INSERT INTO runs (project_id, kind, parent_model_id, config, status, total_steps, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)`,
      )
      .run(input.projectId ?? null, input.kind, input.parentModelId ?? null, JSON.stringify(input.config ?? {}),
        input.totalSteps, now, now);
    return getRun(ctx, Number(r.lastInsertRowid));
  } catch (err) {
    throw toLibraryError(err, 'creating a training run');
  }
}

export function listRuns(ctx: LibraryContext, filter: { projectId?: number; status?: RunStatus } = {}): Run[] {
  const where: string[] = [];
  const args: (number | string)[] = [];
  if (filter.projectId !== undefined) {
    where.push('project_id = ?');
    args.push(filter.projectId);
  }
  if (filter.status !== undefined) {
    where.push('status = ?');
    args.push(filter.status);
  }
  const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC`;
  return (ctx.db.prepare(sql).all(...args) as RunRow[]).map(toRun);
}

export function setRunStatus(ctx: LibraryContext, id: number, status: RunStatus, error?: string): Run {
  const run = getRun(ctx, id);
  if (!TRANSITIONS[run.status]?.includes(status)) {
    throw new LibraryError('invalid-transition', `Run ${id} cannot go from ${run.status} to ${status}.`);
  }
  const now = ctx.now();
  ctx.db
    .prepare(
      `UPDATE runs SET status = ?, updated_at = ?, error = ?,
         started_at = CASE WHEN ? = 'running' AND started_at IS NULL THEN ? ELSE started_at END,
         finished_at = CASE WHEN ? THEN ? ELSE finished_at END
       WHERE id = ?`,
    )
    .run(status, now, error ?? null, status, now, TERMINAL.has(status) ? 1 : 0, now, id);
  return getRun(ctx, id);
}

/** Append logged steps and advance the run's step counter, in one transaction. */
export function recordRunProgress(ctx: LibraryContext, id: number, step: number, points: MetricPoint[]): void {
  const { db } = ctx;
  const insert = db.prepare('INSERT OR REPLACE INTO run_metrics (run_id, name, step, value) VALUES (?, ?, ?, ?)');
  try {
    db.transaction(() => {
      const run = db.prepare<[number], { status: RunStatus }>('SELECT status FROM runs WHERE id = ?').get(id);
      if (!run) throw notFound('Run', id);
      if (run.status !== 'running') {
        throw new LibraryError('invalid-transition', `Run ${id} is ${run.status}; progress is only recorded while running.`);
      }
      for (const p of points) {
        for (const [name, value] of Object.entries(p.values)) {
          if (Number.isFinite(value)) insert.run(id, name, p.step, value);
        }
      }
      db.prepare('UPDATE runs SET step = max(step, ?), updated_at = ? WHERE id = ?').run(step, ctx.now(), id);
    })();
  } catch (err) {
    throw toLibraryError(err, `recording progress of run ${id}`);
  }
}

/** Loss and metric series of a run; with maxPoints, evenly thinned (the last point is kept). */
export function getRunMetrics(
  ctx: LibraryContext,
  id: number,
  opts: { names?: string[]; sinceStep?: number; maxPoints?: number } = {},
): MetricSeries[] {
  getRun(ctx, id);
  const rows = ctx.db
    .prepare('SELECT name, step, value FROM run_metrics WHERE run_id = ? AND step >= ? ORDER BY name, step')
    .all(id, opts.sinceStep ?? 0) as { name: string; step: number; value: number }[];
  const byName = new Map<string, MetricSeries>();
  for (const r of rows) {
    if (opts.names && !opts.names.includes(r.name)) continue;
    let s = byName.get(r.name);
    if (!s) byName.set(r.name, (s = { name: r.name, steps: [], values: [] }));
    s.steps.push(r.step);
    s.values.push(r.value);
  }
  const series = [...byName.values()];
  const max = opts.maxPoints;
  if (!max || max < 2) return series;
  return series.map((s) => {
    if (s.steps.length <= max) return s;
    const stride = (s.steps.length - 1) / (max - 1);
    const idx = Array.from({ length: max }, (_, i) => Math.round(i * stride));
    return { name: s.name, steps: idx.map((i) => s.steps[i]), values: idx.map((i) => s.values[i]) };
  });
}

/** Store a sample grid image (PNG/JPEG bytes) for a step; the file is durable before the row. */
export async function addRunSample(ctx: LibraryContext, runId: number, step: number, bytes: Buffer): Promise<RunSample> {
  const run = getRun(ctx, runId);
  let format: string;
  try {
    format = (await sharp(bytes).metadata()).format ?? '';
  } catch {
    throw new LibraryError('not-an-image', `The sample grid for run ${runId} step ${step} is not an image.`);
  }
  const base = run.projectId !== null ? `projects/${run.projectId}/runs/${runId}` : `runs/${runId}`;
  const rel = `${base}/step-${step}-${randomUUID().slice(0, 8)}.${extensionFor(format)}`;
  await ctx.store.writeAtomic(rel, bytes, `saving a sample grid of run ${runId}`);
  try {
    const r = ctx.db
      .prepare('INSERT INTO run_samples (run_id, step, file_path, format, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(runId, step, rel, format, ctx.now());
    return toSample(ctx.db.prepare('SELECT * FROM run_samples WHERE id = ?').get(r.lastInsertRowid) as SampleRow);
  } catch (err) {
    await ctx.store.remove(rel).catch(() => undefined);
    throw toLibraryError(err, `recording a sample grid of run ${runId}`);
  }
}

export function listRunSamples(ctx: LibraryContext, runId: number): RunSample[] {
  return (ctx.db.prepare('SELECT * FROM run_samples WHERE run_id = ? ORDER BY step, id').all(runId) as SampleRow[]).map(
    toSample,
  );
}

export async function readRunSample(ctx: LibraryContext, sampleId: number): Promise<Buffer> {
  const row = ctx.db.prepare('SELECT * FROM run_samples WHERE id = ?').get(sampleId) as SampleRow | undefined;
  if (!row) throw notFound('Sample', sampleId);
  return ctx.store.read(row.file_path);
}

/** Point a run at the model version it produced. */
export function setRunOutputModel(ctx: LibraryContext, runId: number, modelId: number): Run {
  getModelRow(ctx, modelId);
  const r = ctx.db.prepare('UPDATE runs SET output_model_id = ?, updated_at = ? WHERE id = ?').run(modelId, ctx.now(), runId);
  if (r.changes === 0) throw notFound('Run', runId);
  return getRun(ctx, runId);
}

/** Delete a finished run with its metrics and sample files. */
export async function deleteRun(ctx: LibraryContext, runId: number): Promise<void> {
  const run = getRun(ctx, runId);
  if (run.status === 'running') throw new LibraryError('invalid-transition', `Run ${runId} is running; stop it first.`);
  const files = (ctx.db.prepare('SELECT file_path FROM run_samples WHERE run_id = ?').all(runId) as { file_path: string }[])
    .map((r) => r.file_path);
  await withReserve(ctx.reserve, `deleting run ${runId}`, () => ctx.db.prepare('DELETE FROM runs WHERE id = ?').run(runId));
  for (const f of files) await ctx.store.remove(f).catch(() => undefined);
  await ctx.reserve.ensure();
}
