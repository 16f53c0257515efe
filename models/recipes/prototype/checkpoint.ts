/**
 * Building, saving and loading the prototype baseline.
 *
 * Folder layout (everything a reload needs; meta.json is written last, so a folder is complete
 * exactly when meta.json exists):
 *   mean-<lo>-<hi>.png   the mean face of each group, 8-bit RGB at the means' size (the rounding to
 *                        8 bits moves a difference by at most 1/255, far below what the low-pass
 *                        and the estimator can see)
 *   texture.json, .bin   when the means were built with texture maps: the texture stage
 *                        (prototype-texture.ts), which load-model.ts applies on top of the means
 *   meta.json            format 'face-age-prototype', groups (range, anchor age, face count, file),
 *                        options, data provenance
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodeImage, encodeImage } from '../../image/image-io';
import { writeFileAtomic } from '../../core/atomic-write';
import type { FaceSource } from '../../data/face-source';
import { computeMeanFaces, type ComputeMeansOptions, type MeanFace } from './means';
import { PrototypeAgingModel, type PrototypeOptions } from './model';
import { saveTextureStage, textureStageFromMeans } from '../../stages/texture';

export const PROTOTYPE_FORMAT = 'face-age-prototype';

export interface PrototypeMeta {
  format: typeof PROTOTYPE_FORMAT;
  version: 1;
  kind: 'prototype';
  resolution: number;
  options: PrototypeOptions;
  groups: Array<{ lo: number; hi: number | null; anchorAge: number; count: number; file: string }>;
  /** Where the means came from (free-form: dataset folder, split, face count). */
  data: Record<string, unknown>;
  createdAt: string;
}

export interface BuildPrototypeOptions extends ComputeMeansOptions, Partial<PrototypeOptions> {
  /** Groups with fewer faces are dropped (their ages use the neighbouring anchors). Default 1. */
  minGroupFaces?: number;
}

/** Computes the group means over `source` (default: its train split) and wraps them as a model. */
export async function buildPrototypeModel(source: FaceSource, opts: BuildPrototypeOptions = {}): Promise<PrototypeAgingModel> {
  const means = (await computeMeanFaces(source, opts)).filter((m) => m.count >= (opts.minGroupFaces ?? 1));
  return new PrototypeAgingModel(means, source.size, pickOptions(opts));
}

function pickOptions(o: Partial<PrototypeOptions>): Partial<PrototypeOptions> {
  const out: Partial<PrototypeOptions> = {};
  if (o.sigma !== undefined) out.sigma = o.sigma;
  if (o.mask !== undefined) out.mask = o.mask;
  if (o.strength !== undefined) out.strength = o.strength;
  if (o.tone !== undefined) out.tone = o.tone;
  if (o.strengthFar !== undefined) out.strengthFar = o.strengthFar;
  return out;
}

const fileOf = (m: MeanFace) => `mean-${m.lo}-${m.hi ?? 'up'}.png`;

export async function savePrototype(
  model: PrototypeAgingModel,
  dir: string,
  data: Record<string, unknown> = {},
  opts: { textureStrength?: number } = {},
): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  if (model.means.every((m) => m.texture)) {
    await saveTextureStage(dir, textureStageFromMeans(model.means, model.resolution, opts.textureStrength ?? 0), data);
  }
  const S = model.resolution;
  for (const m of model.means) {
    const bytes = new Uint8Array(m.pixels.length);
    for (let j = 0; j < bytes.length; j++) bytes[j] = Math.max(0, Math.min(255, Math.round(m.pixels[j])));
    await writeFileAtomic(path.join(dir, fileOf(m)), await encodeImage({ width: S, height: S, data: bytes }, { format: 'png' }));
  }
  const meta: PrototypeMeta = {
    format: PROTOTYPE_FORMAT,
    version: 1,
    kind: 'prototype',
    resolution: S,
    options: model.options,
    groups: model.means.map((m) => ({ lo: m.lo, hi: m.hi, anchorAge: Number(m.anchorAge.toFixed(3)), count: m.count, file: fileOf(m) })),
    data,
    createdAt: new Date().toISOString(),
  };
  await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 1));
}

export async function readPrototypeMeta(dir: string): Promise<PrototypeMeta> {
  const meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as PrototypeMeta;
  if (meta.format !== PROTOTYPE_FORMAT) throw new Error(`${dir} is not a prototype model (format ${String(meta.format)})`);
  return meta;
}

/** Loads a saved prototype; `options` override the saved ones (e.g. another sigma for a trial). */
export async function loadPrototypeModel(dir: string, options: Partial<PrototypeOptions> = {}): Promise<PrototypeAgingModel> {
  const meta = await readPrototypeMeta(dir);
  const S = meta.resolution;
  const means: MeanFace[] = [];
  for (const g of meta.groups) {
    const img = await decodeImage(path.join(dir, g.file));
    if (img.width !== S || img.height !== S) throw new Error(`${g.file} is ${img.width}x${img.height}, expected ${S}x${S}`);
    means.push({ lo: g.lo, hi: g.hi, anchorAge: g.anchorAge, count: g.count, pixels: Float32Array.from(img.data) });
  }
  return new PrototypeAgingModel(means, S, { ...meta.options, ...pickOptions(options) });
}
