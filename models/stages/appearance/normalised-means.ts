/**
 * Shape-normalised mean faces: every training face is first warped (thin-plate spline on its 68
 * landmarks) onto one reference shape, then averaged per age group and sex. Eyes, brows, nostrils
 * and lips of all faces land on the same pixels, so the means stay sharp; the difference of two of
 * them is a change of appearance only (skin, shading, hollows, colour), with no double features:
 * the old prototype averaged faces aligned by four points, whose features did not coincide, and its
 * difference printed a ghost of the average eyes over the person's.
 *
 * Storage: `appearance.json` (groups, sizes, provenance) + `appearance.bin` (uint16 pixels,
 * value x 200 for [0, 255], groups x S x S x 3, in the order of the JSON's groups: half the size of
 * float32, at 1/200 of a grey level).
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ageGroupIndex, controlPoints } from '../shape/face-points';
import { denseMap, fitTps, remap } from '../shape/tps';
import { anchorWeights, raceBalancedWeights, type AgeSexGroup } from '../shape/shape-means';

export const APPEARANCE_FORMAT = 'face-age-appearance-means';
export const APPEARANCE_JSON = 'appearance.json';
export const APPEARANCE_BIN = 'appearance.bin';
const PIXEL_SCALE = 200;

/** Lower edges (years) of the appearance groups; the last is open. */
export const APPEARANCE_EDGES: readonly number[] = [0, 4, 8, 13, 18, 25, 32, 40, 50, 60, 70, 80, 90];

export type AppearanceGroup = AgeSexGroup;

export interface AppearanceMeans {
  format: typeof APPEARANCE_FORMAT;
  version: 1;
  size: number;
  /** The reference shape the means are drawn in (unit crop coordinates, 136 numbers). */
  reference: number[];
  groups: AppearanceGroup[];
  /** One [S, S, 3] float image per group, [0, 255]. */
  pixels: Float32Array[];
  source?: string;
}

/** Warps a face (S x S x 3, any value range) with landmarks `shape` onto `reference`. */
export function normaliseFace(face: Float32Array, size: number, shape: ArrayLike<number>, reference: ArrayLike<number>): Float32Array {
  const tps = fitTps(controlPoints(reference), controlPoints(shape), 1e-4);
  return remap(face, size, denseMap(tps, size));
}

export interface AppearanceSample {
  age: number;
  gender: number | null;
  race: number | null;
}

/**
 * Accumulates the means over `samples`; `read(i)` gives sample i's crop (S x S x 3 bytes) and
 * landmarks. Each face counts with its mirror image (the reference shape is symmetric, so the
 * mirrored normalised face is the normalised mirrored face).
 */
export async function computeAppearanceMeans(
  samples: readonly AppearanceSample[],
  read: (i: number) => Promise<{ crop: Uint8Array; shape: ArrayLike<number> }>,
  opts: { size: number; reference: ArrayLike<number>; edges?: readonly number[]; onProgress?: (done: number, total: number) => void },
): Promise<AppearanceMeans> {
  const edges = opts.edges ?? APPEARANCE_EDGES;
  const S = opts.size;
  const groupOf = (age: number) => ageGroupIndex(age, edges);
  type Cell = { sum: Float64Array; w: number; age: number; count: number };
  const cells = new Map<string, Cell>();
  const variants: Array<0 | 1 | null> = [0, 1, null];
  const weightsByVariant = variants.map((v) => {
    const keys = samples.map((s) => (v === null || s.gender === v ? `${groupOf(s.age)}/${v ?? 'b'}` : '-'));
    return { keys, weights: raceBalancedWeights(keys, samples.map((s) => s.race)) };
  });
  const n = S * S * 3;
  for (let i = 0; i < samples.length; i++) {
    const { crop, shape } = await read(i);
    const face = Float32Array.from(crop);
    const norm = normaliseFace(face, S, shape, opts.reference);
    for (const { keys, weights } of weightsByVariant) {
      const key = keys[i];
      const w = weights[i];
      if (key === '-' || w <= 0) continue;
      let c = cells.get(key);
      if (!c) {
        c = { sum: new Float64Array(n), w: 0, age: 0, count: 0 };
        cells.set(key, c);
      }
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          const o = (y * S + x) * 3;
          const m = (y * S + (S - 1 - x)) * 3;
          for (let k = 0; k < 3; k++) c.sum[o + k] += (w * (norm[o + k] + norm[m + k])) / 2;
        }
      }
      c.w += w;
      c.age += w * samples[i].age;
      c.count++;
    }
    if (opts.onProgress && (i % 500 === 499 || i === samples.length - 1)) opts.onProgress(i + 1, samples.length);
  }
  const groups: AppearanceGroup[] = [];
  const pixels: Float32Array[] = [];
  const ordered = [...cells.entries()].sort(([a], [b]) => {
    const [ga, sa] = a.split('/');
    const [gb, sb] = b.split('/');
    return sa.localeCompare(sb) || Number(ga) - Number(gb);
  });
  for (const [key, c] of ordered) {
    const [g, gk] = key.split('/');
    const gi = Number(g);
    groups.push({ lo: edges[gi], hi: gi + 1 < edges.length ? edges[gi + 1] : null, gender: gk === 'b' ? null : (Number(gk) as 0 | 1), anchorAge: c.age / c.w, count: c.count });
    pixels.push(Float32Array.from(c.sum, (v) => v / c.w));
  }
  return { format: APPEARANCE_FORMAT, version: 1, size: S, reference: Array.from(opts.reference), groups, pixels };
}

/** The mean face at `age` for `gender` (null: both sexes), interpolated between group anchors. */
export function appearanceAt(means: AppearanceMeans, age: number, gender: number | null = null): Float32Array {
  const want = gender === 0 || gender === 1 ? gender : null;
  let idx = means.groups.map((g, i) => [g, i] as const).filter(([g]) => g.gender === want);
  if (idx.length === 0) idx = means.groups.map((g, i) => [g, i] as const).filter(([g]) => g.gender === null);
  idx.sort(([a], [b]) => a.anchorAge - b.anchorAge);
  const out = new Float32Array(means.size * means.size * 3);
  for (const [k, w] of anchorWeights(idx.map(([g]) => g.anchorAge), age)) {
    const px = means.pixels[idx[k][1]];
    for (let j = 0; j < out.length; j++) out[j] += w * px[j];
  }
  return out;
}

export async function saveAppearanceMeans(dir: string, m: AppearanceMeans): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const bin = new Uint16Array(m.pixels.length * m.size * m.size * 3);
  m.pixels.forEach((p, i) => {
    for (let j = 0; j < p.length; j++) bin[i * p.length + j] = Math.round(Math.min(255, Math.max(0, p[j])) * PIXEL_SCALE);
  });
  await fs.writeFile(path.join(dir, APPEARANCE_BIN + '.tmp'), new Uint8Array(bin.buffer));
  await fs.rename(path.join(dir, APPEARANCE_BIN + '.tmp'), path.join(dir, APPEARANCE_BIN));
  const { pixels: _pixels, ...header } = m;
  void _pixels;
  await fs.writeFile(path.join(dir, APPEARANCE_JSON + '.tmp'), JSON.stringify(header, null, 1));
  await fs.rename(path.join(dir, APPEARANCE_JSON + '.tmp'), path.join(dir, APPEARANCE_JSON));
}

export async function loadAppearanceMeans(dir: string): Promise<AppearanceMeans | null> {
  const jf = path.join(dir, APPEARANCE_JSON);
  if (!existsSync(jf)) return null;
  const header = JSON.parse(await fs.readFile(jf, 'utf8')) as Omit<AppearanceMeans, 'pixels'>;
  if (header.format !== APPEARANCE_FORMAT) throw new Error(`${jf}: not appearance means`);
  const buf = await fs.readFile(path.join(dir, APPEARANCE_BIN));
  const per = header.size * header.size * 3;
  if (buf.byteLength !== per * header.groups.length * 2) throw new Error(`${dir}/${APPEARANCE_BIN}: size does not match ${APPEARANCE_JSON}`);
  const raw = new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const all = Float32Array.from(raw, (v) => v / PIXEL_SCALE);
  return { ...header, pixels: header.groups.map((_, i) => all.subarray(i * per, (i + 1) * per)) };
}
