/**
 * Checkpoint files of a CycleGAN trainer, all in one folder, in the layout of core/checkpoint.ts:
 *   G.json/.bin, D.json/.bin   weights (models/nn ParamStore format)
 *   optim-G.*, optim-D.*       Adam state (exact resume; optG.* / optD.* in checkpoints written
 *                              before the names were unified, still read)
 *   pool.json/.bin             image pool contents
 *   meta.json                  CheckpointMeta with the full config; written LAST, so a folder
 *                              is a complete checkpoint exactly when meta.json exists.
 * An exported model (for inference / shipping) holds only G.* and meta.json.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CheckpointMeta, TrainerParts } from '../../core/trainer';
import type { StoredDtype } from '../../nn/params';
import { writeFileAtomic } from '../../core/atomic-write';
import { checkpointMeta, existingCreatedAt, loadParts, readMeta, saveParts, saveWeights, writeMeta } from '../../core/checkpoint';
import type { CycleGanConfig } from './config';
import { PrototypeAgingModel } from '../prototype/model';
import { loadPrototypeModel, savePrototype } from '../prototype/checkpoint';
import { MeansTeacher } from '../../stages/appearance/means-teacher';
import { loadAppearanceMeans, saveAppearanceMeans } from '../../stages/appearance/normalised-means';
import type { AgeTeacher } from '../../nn/teacher';
import type { ImagePool } from './image-pool';

export const CODE_VERSION = 'cyclegan/1';

/** Optimizer files of checkpoints written before the names were unified. */
const LEGACY_OPTIMIZER_FILES = { G: 'optG', D: 'optD' } as const;

/** What a checkpoint needs of a CycleGAN trainer (CycleGanTrainer implements it). */
export interface CycleGanCheckpointable {
  readonly config: CycleGanConfig;
  readonly step: number;
  readonly pool: ImagePool;
  readonly hasPrior: boolean;
  readonly teacherModel: unknown;
  lastLosses: Record<string, number>;
  checkpointParts(): TrainerParts;
  setStep(step: number): void;
}

export interface SaveExtra {
  metrics?: Record<string, number>;
  totalSteps?: number;
  completed?: boolean;
}

async function writeTrainerMeta(
  dir: string,
  t: CycleGanCheckpointable,
  extra: SaveExtra | undefined,
): Promise<void> {
  const c = t.config;
  const meta = checkpointMeta('cyclegan', CODE_VERSION, c, t.step, {
    createdAt: await existingCreatedAt(dir, new Date().toISOString()),
    totalSteps: extra?.totalSteps ?? c.optim.constantSteps + c.optim.decaySteps,
    completed: extra?.completed ?? false,
    losses: { ...t.lastLosses },
    metrics: extra?.metrics ?? {},
  });
  await writeMeta(dir, meta);
}

export async function saveTrainer(t: CycleGanCheckpointable, dir: string, extra?: SaveExtra): Promise<void> {
  await saveParts(dir, t.checkpointParts());
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
  await writeTrainerMeta(dir, t, extra);
}

/** Folder of the prototype a prior-refining G was trained on, inside a checkpoint or export. */
export const PRIOR_DIR = 'prior';

/** Saves the teacher as `prior/` when G refines it (config.generator.prior), so the folder is self-contained. */
async function savePrior(t: CycleGanCheckpointable, dir: string): Promise<void> {
  if (!t.hasPrior) return;
  const teacher = t.teacherModel;
  if (t.config.generator.prior === 'engineered') {
    if (!(teacher instanceof MeansTeacher)) throw new Error('a generator with the engineered prior needs the mean-faces teacher to save');
    await saveAppearanceMeans(path.join(dir, PRIOR_DIR), teacher.means);
    await writeFileAtomic(path.join(dir, PRIOR_DIR, 'teacher.json'), JSON.stringify({ options: teacher.options }, null, 1));
    return;
  }
  if (!(teacher instanceof PrototypeAgingModel)) throw new Error('a generator with a prior needs a prototype teacher to save');
  await savePrototype(teacher, path.join(dir, PRIOR_DIR), { role: 'prior of the CycleGAN generator beside it' });
}

/** The prior saved beside a generator (null when its config has none). */
export async function loadPrior(dir: string, config: CycleGanConfig): Promise<(AgeTeacher & { dispose?: () => void }) | null> {
  if (config.generator.prior === 'engineered') {
    const priorDir = path.join(dir, PRIOR_DIR);
    const means = await loadAppearanceMeans(priorDir);
    if (!means) throw new Error(`${priorDir}: the mean faces of the engineered prior are missing`);
    const saved = JSON.parse(await fs.readFile(path.join(priorDir, 'teacher.json'), 'utf8')) as { options: MeansTeacher['options'] };
    return new MeansTeacher(means, saved.options);
  }
  if (config.generator.prior !== 'prototype') return null;
  return loadPrototypeModel(path.join(dir, PRIOR_DIR));
}

/** Writes only what inference needs (generator + meta); float16 halves the size. */
export async function exportTrainerModel(t: CycleGanCheckpointable, dir: string, dtype: StoredDtype = 'float16'): Promise<void> {
  await saveWeights(dir, [t.checkpointParts().networks[0]], dtype);
  await savePrior(t, dir);
  await writeTrainerMeta(dir, t, { completed: true });
}

export async function readCycleGanMeta(dir: string): Promise<CheckpointMeta<CycleGanConfig>> {
  return readMeta<CycleGanConfig>(dir, 'cyclegan', 'a CycleGAN');
}

/** Restores weights, optimiser state, pool and step into a trainer built from the same config. */
export async function restoreTrainer(t: CycleGanCheckpointable, dir: string, meta: CheckpointMeta<CycleGanConfig>): Promise<void> {
  await loadParts(dir, t.checkpointParts(), LEGACY_OPTIMIZER_FILES);
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
