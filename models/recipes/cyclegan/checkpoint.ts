/**
 * Checkpoint files of a CycleGAN trainer, all in one folder:
 *   G.json/.bin, D.json/.bin   weights (models/nn ParamStore format)
 *   optG.*, optD.*             Adam state (exact resume)
 *   pool.json/.bin             image pool contents
 *   meta.json                  CheckpointMeta with the full config; written LAST, so a folder
 *                              is a complete checkpoint exactly when meta.json exists.
 * An exported model (for inference / shipping) holds only G.* and meta.json.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CheckpointMeta } from '../../core/trainer';
import type { StoredDtype } from '../../nn/params';
import { writeFileAtomic } from '../../core/atomic-write';
import type { CycleGanConfig } from './config';
import { PrototypeAgingModel } from '../prototype/model';
import { loadPrototypeModel, savePrototype } from '../prototype/checkpoint';
import type { CycleGanTrainer } from './trainer';
import { loadOptimizerState, saveOptimizerState } from '../../core/optimizer-state';

export const CODE_VERSION = 'cyclegan/1';
export const META_FILE = 'meta.json';

export interface SaveExtra {
  metrics?: Record<string, number>;
  totalSteps?: number;
  completed?: boolean;
}

async function writeMeta(
  dir: string,
  t: CycleGanTrainer,
  extra: SaveExtra | undefined,
): Promise<void> {
  const file = path.join(dir, META_FILE);
  let createdAt = new Date().toISOString();
  try {
    createdAt = (JSON.parse(await fs.readFile(file, 'utf8')) as CheckpointMeta).createdAt ?? createdAt;
  } catch {
    // first save into this folder
  }
  const c = t.config;
  const meta: CheckpointMeta<CycleGanConfig> = {
    format: 'face-age-checkpoint',
    version: 1,
    kind: 'cyclegan',
    config: c,
    step: t.step,
    totalSteps: extra?.totalSteps ?? c.optim.constantSteps + c.optim.decaySteps,
    completed: extra?.completed ?? false,
    losses: { ...t.lastLosses },
    metrics: extra?.metrics ?? {},
    createdAt,
    updatedAt: new Date().toISOString(),
    codeVersion: CODE_VERSION,
  };
  await writeFileAtomic(file, JSON.stringify(meta, null, 1));
}

export async function saveTrainer(t: CycleGanTrainer, dir: string, extra?: SaveExtra): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await t.gen.params.save(dir);
  await t.disc.params.save(dir);
  await saveOptimizerState(t.optG, dir, 'optG');
  await saveOptimizerState(t.optD, dir, 'optD');
  const pool = t.pool.serialize();
  const bin = Buffer.concat([
    Buffer.from(pool.images.buffer, pool.images.byteOffset, pool.images.byteLength),
    Buffer.from(pool.codes.buffer, pool.codes.byteOffset, pool.codes.byteLength),
  ]);
  await writeFileAtomic(path.join(dir, 'pool.bin'), bin);
  await writeFileAtomic(
    path.join(dir, 'pool.json'),
    JSON.stringify({ count: pool.count, imageSize: pool.imageSize, codeSize: pool.codeSize }),
  );
  await savePrior(t, dir);
  await writeMeta(dir, t, extra);
}

/** Folder of the prototype a prior-refining G was trained on, inside a checkpoint or export. */
export const PRIOR_DIR = 'prior';

/** Saves the teacher as `prior/` when G refines it (config.generator.prior), so the folder is self-contained. */
async function savePrior(t: CycleGanTrainer, dir: string): Promise<void> {
  if (!t.hasPrior) return;
  const teacher = t.teacherModel;
  if (!(teacher instanceof PrototypeAgingModel)) throw new Error('a generator with a prior needs a prototype teacher to save');
  await savePrototype(teacher, path.join(dir, PRIOR_DIR), { role: 'prior of the CycleGAN generator beside it' });
}

/** The prior saved beside a generator (null when its config has none). */
export async function loadPrior(dir: string, config: CycleGanConfig): Promise<PrototypeAgingModel | null> {
  if (config.generator.prior !== 'prototype') return null;
  return loadPrototypeModel(path.join(dir, PRIOR_DIR));
}

/** Writes only what inference needs (generator + meta); float16 halves the size. */
export async function exportTrainerModel(t: CycleGanTrainer, dir: string, dtype: StoredDtype = 'float16'): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await t.gen.params.save(dir, dtype);
  await savePrior(t, dir);
  await writeMeta(dir, t, { completed: true });
}

export async function readCycleGanMeta(dir: string): Promise<CheckpointMeta<CycleGanConfig>> {
  const meta = JSON.parse(await fs.readFile(path.join(dir, META_FILE), 'utf8')) as CheckpointMeta<CycleGanConfig>;
  if (meta.format !== 'face-age-checkpoint' || meta.kind !== 'cyclegan') {
    throw new Error(`${dir} does not hold a CycleGAN checkpoint`);
  }
  return meta;
}

/** Restores weights, optimiser state, pool and step into a trainer built from the same config. */
export async function restoreTrainer(t: CycleGanTrainer, dir: string, meta: CheckpointMeta<CycleGanConfig>): Promise<void> {
  await t.gen.params.load(dir);
  await t.disc.params.load(dir);
  await loadOptimizerState(t.optG, dir, 'optG');
  await loadOptimizerState(t.optD, dir, 'optD');
  const info = JSON.parse(await fs.readFile(path.join(dir, 'pool.json'), 'utf8')) as {
    count: number;
    imageSize: number;
    codeSize: number;
  };
  const bin = await fs.readFile(path.join(dir, 'pool.bin'));
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const nImg = info.count * info.imageSize;
  t.pool.restore({
    ...info,
    images: all.subarray(0, nImg),
    codes: all.subarray(nImg, nImg + info.count * info.codeSize),
  });
  t.setStep(meta.step);
  t.lastLosses = { ...meta.losses };
}
