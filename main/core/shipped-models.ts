/**
 * Registers the base models shipped in `assets/models/<name>/` in the library the first time it is
 * opened with them, so the model list and the aging screens have something to work with on a fresh
 * install. A shipped model is a self-describing checkpoint folder (meta.json with
 * format 'face-age-checkpoint', as the models' checkpoint.ts files write it) plus its MODEL_CARD.md.
 * Base models are never overwritten: an existing base model of the same kind and name is kept.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Library } from '../library/library';
import type { JsonObject } from '../library/types';

const KINDS = new Set(['age-cgan', 'cyclegan']);
/** The prototype method's folder (models/recipes/prototype/checkpoint.ts) has its own meta format. */
const PROTOTYPE_FORMAT = 'face-age-prototype';
/** The engineered stages' folder (models/stages/engineered-model.ts): training-free, like the prototype. */
const ENGINEERED_FORMAT = 'face-age-engineered';

interface ShippedMeta {
  format: 'face-age-checkpoint' | typeof PROTOTYPE_FORMAT | typeof ENGINEERED_FORMAT;
  kind: 'age-cgan' | 'cyclegan' | 'prototype';
  config: JsonObject;
  step?: number;
  metrics?: Record<string, number>;
}

function asMeta(raw: unknown): ShippedMeta | null {
  const m = raw as (Partial<ShippedMeta> & { resolution?: number }) | null;
  if (m?.format === PROTOTYPE_FORMAT || m?.format === ENGINEERED_FORMAT) {
    return { format: m.format, kind: 'prototype', config: { resolution: m.resolution ?? 128, ageRange: [0, 90] }, step: 0 };
  }
  if (!m || m.format !== 'face-age-checkpoint' || !KINDS.has(m.kind as string)) return null;
  if (typeof m.config !== 'object' || m.config === null) return null;
  return m as ShippedMeta;
}

export interface SeedReport {
  registered: string[];
  skipped: string[];
  failed: Array<{ name: string; error: string }>;
}

export async function seedShippedModels(lib: Library, assetsDir: string): Promise<SeedReport> {
  const report: SeedReport = { registered: [], skipped: [], failed: [] };
  const root = join(assetsDir, 'models');
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const existing = new Set(lib.listModels().filter((m) => m.isBase).map((m) => `${m.kind}/${m.name}`));
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, entry.name);
    const meta = asMeta(await readFile(join(dir, 'meta.json'), 'utf8').then(JSON.parse, () => null));
    // Folders that are not generator checkpoints (e.g. an age classifier) are not library models.
    if (!meta) continue;
    if (existing.has(`${meta.kind}/${entry.name}`)) {
      report.skipped.push(entry.name);
      continue;
    }
    try {
      await lib.registerModel({
        kind: meta.kind,
        name: entry.name,
        isBase: true,
        weightsDir: dir,
        config: { ...meta.config, origin: 'shipped', steps: meta.step ?? 0 },
        metrics: meta.metrics ?? {},
      });
      report.registered.push(entry.name);
    } catch (err) {
      report.failed.push({ name: entry.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return report;
}
