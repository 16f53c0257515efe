import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { LibraryError, toLibraryError } from './errors';
import { withReserve } from './space-reserve';
import { type LibraryContext, type ModelRow, notFound, toModel } from './rows';
import type { JsonObject, Model, ModelKind, ModelWithLineage, RegisterModelInput } from './types';

// Model versions. Weights folders are copied into the store (every file fsynced, one rename)
// before the row exists; a base model's weights and config are never replaced: fine-tuning
// registers a new version whose parent is the model it started from.

const KINDS = new Set<ModelKind>(['age-cgan', 'cyclegan', 'prototype']);

export function getModelRow(ctx: LibraryContext, id: number): ModelRow {
  const row = ctx.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
  if (!row) throw notFound('Model', id);
  return row;
}

export async function registerModel(ctx: LibraryContext, input: RegisterModelInput): Promise<ModelWithLineage> {
  const { db, store } = ctx;
  const name = input.name?.trim();
  if (!KINDS.has(input.kind)) throw new LibraryError('invalid-input', `Unknown model kind "${String(input.kind)}".`);
  if (!name) throw new LibraryError('invalid-input', 'A model needs a name.');
  const parentId = input.parentId ?? null;
  const projectId = input.projectId ?? null;
  if (input.isBase && parentId !== null) {
    throw new LibraryError('invalid-input', 'A base model has no parent; register fine-tuned versions with isBase false.');
  }
  if (parentId !== null) {
    const parent = getModelRow(ctx, parentId);
    if (parent.kind !== input.kind) {
      throw new LibraryError('invalid-input', `Model ${parentId} is a ${parent.kind}, not a ${input.kind}.`);
    }
  }
  if (projectId !== null && !db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) {
    throw notFound('Project', projectId);
  }
  const baseExists = () =>
    db.prepare('SELECT id FROM models WHERE is_base = 1 AND kind = ? AND name = ?').get(input.kind, name);
  if (input.isBase && baseExists()) {
    throw new LibraryError(
      'base-model-immutable',
      `A base ${input.kind} model named "${name}" already exists and is never overwritten; register the new weights as a fine-tuned version or under another name.`,
    );
  }
  let entries: string[];
  try {
    entries = await fsp.readdir(input.weightsDir);
  } catch {
    throw new LibraryError('not-found', `The weights folder "${input.weightsDir}" does not exist.`);
  }
  // An empty folder would be indistinguishable from lost weights at the next start.
  if (entries.length === 0) throw new LibraryError('invalid-input', `The weights folder "${input.weightsDir}" is empty.`);
  const rel = `${projectId !== null ? `projects/${projectId}/` : ''}models/${randomUUID()}`;
  await store.importDir(input.weightsDir, rel, `copying the weights of "${name}"`);
  let id: number;
  try {
    id = db.transaction(() => {
      if (input.isBase && baseExists()) throw new LibraryError('base-model-immutable', `Base model "${name}" already exists.`);
      const r = db
        .prepare(
          `INSERT INTO models (kind, name, is_base, parent_id, project_id, weights_dir, config, metrics, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(input.kind, name, input.isBase ? 1 : 0, parentId, projectId, rel,
          JSON.stringify(input.config ?? {}), JSON.stringify(input.metrics ?? {}), ctx.now());
      return Number(r.lastInsertRowid);
    })();
  } catch (err) {
    await store.remove(rel).catch(() => undefined);
    throw toLibraryError(err, `registering model "${name}"`);
  }
  // "Move" is copy-then-delete: the source survives until the store's copy is committed.
  if (input.move) await fsp.rm(input.weightsDir, { recursive: true, force: true }).catch(() => undefined);
  return getModel(ctx, id);
}

function withLineage(rows: ModelRow[], byId: Map<number, ModelRow>): ModelWithLineage[] {
  return rows.map((r) => {
    const lineage: ModelWithLineage['lineage'] = [];
    const seen = new Set<number>([r.id]);
    for (let p = r.parent_id; p !== null; ) {
      const parent = byId.get(p);
      if (!parent || seen.has(p)) break;
      seen.add(p);
      lineage.push({ id: parent.id, name: parent.name, isBase: parent.is_base === 1 });
      p = parent.parent_id;
    }
    return { ...toModel(r), lineage };
  });
}

export function getModel(ctx: LibraryContext, id: number): ModelWithLineage {
  const all = ctx.db.prepare('SELECT * FROM models').all() as ModelRow[];
  const byId = new Map(all.map((r) => [r.id, r]));
  const row = byId.get(id);
  if (!row) throw notFound('Model', id);
  return withLineage([row], byId)[0];
}

/** Base models plus, when projectId is given, that project's fine-tuned versions (else all). */
export function listModels(ctx: LibraryContext, filter: { kind?: ModelKind; projectId?: number } = {}): ModelWithLineage[] {
  const all = ctx.db.prepare('SELECT * FROM models ORDER BY is_base DESC, created_at, id').all() as ModelRow[];
  const byId = new Map(all.map((r) => [r.id, r]));
  const rows = all.filter(
    (r) =>
      (filter.kind === undefined || r.kind === filter.kind) &&
      (filter.projectId === undefined || r.project_id === null || r.project_id === filter.projectId),
  );
  return withLineage(rows, byId);
}

export function modelWeightsPath(ctx: LibraryContext, id: number): string {
  const row = getModelRow(ctx, id);
  if (row.missing) throw new LibraryError('not-found', `The weights of model "${row.name}" are missing from the library.`);
  return ctx.store.abs(row.weights_dir);
}

/** Merge evaluation metrics into a model's record (weights and config never change). */
export function updateModelMetrics(ctx: LibraryContext, id: number, metrics: JsonObject): Model {
  const row = getModelRow(ctx, id);
  const merged = { ...(JSON.parse(row.metrics) as JsonObject), ...metrics };
  ctx.db.prepare('UPDATE models SET metrics = ? WHERE id = ?').run(JSON.stringify(merged), id);
  return toModel(getModelRow(ctx, id));
}

export function renameModel(ctx: LibraryContext, id: number, name: string): Model {
  const row = getModelRow(ctx, id);
  if (row.is_base) throw new LibraryError('base-model-immutable', `Base model "${row.name}" cannot be renamed.`);
  const clean = name.trim();
  if (!clean) throw new LibraryError('invalid-input', 'A model needs a name.');
  ctx.db.prepare('UPDATE models SET name = ? WHERE id = ?').run(clean, id);
  return toModel(getModelRow(ctx, id));
}

/** Delete a fine-tuned version; its children keep their place with parentId null. */
export async function deleteModel(ctx: LibraryContext, id: number): Promise<void> {
  const row = getModelRow(ctx, id);
  if (row.is_base) throw new LibraryError('base-model-immutable', `Base model "${row.name}" cannot be deleted.`);
  await withReserve(ctx.reserve, `deleting model "${row.name}"`, () =>
    ctx.db.prepare('DELETE FROM models WHERE id = ?').run(id),
  );
  await ctx.store.remove(row.weights_dir).catch(() => undefined);
  await ctx.reserve.ensure();
}
