/**
 * Mean landmark shapes by age and sex: what the shape stage moves a face toward. Built from the
 * packed dataset's landmarks (landmarks.bin, unit crop coordinates), each face together with its
 * mirror image, every race of an age x sex cell weighing the same (UTKFace's cells differ a lot in
 * their race mix, and a race's face shape is not an age effect).
 *
 * In the canonical crop the eyes and mouth corners are fixed by the alignment, so age shows up
 * where the data puts it: a child's chin sits higher and its brows and forehead lower relative to
 * the eyes-mouth frame, an old face's jaw and nose lengthen.
 */
import { ageGroupIndex, LANDMARK_COUNT, SHAPE_LENGTH, mirrorShape } from './face-points';

export const SHAPE_MEANS_FORMAT = 'face-age-shape-means';

/** Lower edges (years) of the shape groups; finer in childhood, where shape changes fastest. */
export const SHAPE_EDGES: readonly number[] = [0, 3, 6, 10, 14, 18, 25, 35, 45, 55, 65, 75, 85];

/** One age x sex cell of a set of means. */
export interface AgeSexGroup {
  lo: number;
  hi: number | null;
  /** 0 male, 1 female, null both. */
  gender: 0 | 1 | null;
  anchorAge: number;
  count: number;
}

export interface ShapeGroup extends AgeSexGroup {
  shape: number[];
}

export interface ShapeMeans {
  format: typeof SHAPE_MEANS_FORMAT;
  version: 1;
  edges: number[];
  /** Mean shape of every training face (both sexes, all ages): the frame shape-normalised means live in. */
  reference: number[];
  groups: ShapeGroup[];
  source?: string;
}

export interface ShapeSample {
  age: number;
  gender: number | null;
  race: number | null;
  shape: ArrayLike<number>;
}

/** Weights that give each race the same total weight inside each cell (cell = key of a sample). */
export function raceBalancedWeights(keys: readonly string[], races: readonly (number | null)[], minCell = 15): Float64Array {
  const counts = new Map<string, Map<string, number>>();
  keys.forEach((k, i) => {
    const r = String(races[i] ?? 'x');
    const m = counts.get(k) ?? new Map<string, number>();
    m.set(r, (m.get(r) ?? 0) + 1);
    counts.set(k, m);
  });
  return Float64Array.from(keys, (k, i) => {
    const m = counts.get(k)!;
    const kept = [...m.values()].filter((n) => n >= minCell).length;
    const n = m.get(String(races[i] ?? 'x'))!;
    // A cell where no race has enough faces weighs every face the same.
    if (kept === 0) return 1;
    return n >= minCell ? 1 / (n * kept) : 0;
  });
}

export function computeShapeMeans(samples: readonly ShapeSample[], edges: readonly number[] = SHAPE_EDGES): ShapeMeans {
  const cellKey = (s: ShapeSample, gender: 0 | 1 | null) => `${ageGroupIndex(s.age, edges)}/${gender ?? 'b'}`;
  const acc = new Map<string, { sum: Float64Array; w: number; age: number; count: number }>();
  const reference = new Float64Array(SHAPE_LENGTH);
  for (const variant of [0, 1, null] as const) {
    const picked = samples.filter((s) => variant === null || s.gender === variant);
    const keys = picked.map((s) => cellKey(s, variant));
    const weights = raceBalancedWeights(keys, picked.map((s) => s.race));
    picked.forEach((s, i) => {
      const w = weights[i];
      if (w <= 0) return;
      const a = acc.get(keys[i]) ?? { sum: new Float64Array(SHAPE_LENGTH), w: 0, age: 0, count: 0 };
      const m = mirrorShape(s.shape);
      for (let j = 0; j < SHAPE_LENGTH; j++) a.sum[j] += (w * (s.shape[j] + m[j])) / 2;
      a.w += w;
      a.age += w * s.age;
      a.count++;
      acc.set(keys[i], a);
    });
  }
  for (const s of samples) {
    const m = mirrorShape(s.shape);
    for (let j = 0; j < SHAPE_LENGTH; j++) reference[j] += (s.shape[j] + m[j]) / 2 / samples.length;
  }
  const groups: ShapeGroup[] = [];
  for (const [key, a] of acc) {
    const [g, gk] = key.split('/');
    const gi = Number(g);
    groups.push({
      lo: edges[gi],
      hi: gi + 1 < edges.length ? edges[gi + 1] : null,
      gender: gk === 'b' ? null : (Number(gk) as 0 | 1),
      anchorAge: a.age / a.w,
      count: a.count,
      shape: Array.from(a.sum, (v) => v / a.w),
    });
  }
  groups.sort((x, y) => String(x.gender).localeCompare(String(y.gender)) || x.lo - y.lo);
  return { format: SHAPE_MEANS_FORMAT, version: 1, edges: [...edges], reference: Array.from(reference), groups };
}

/** Piecewise-linear weights between the two nearest anchors (clamped at the ends). */
export function anchorWeights(anchors: readonly number[], age: number): Array<[number, number]> {
  if (anchors.length === 0) throw new Error('no anchors');
  if (age <= anchors[0]) return [[0, 1]];
  const last = anchors.length - 1;
  if (age >= anchors[last]) return [[last, 1]];
  let i = 0;
  while (anchors[i + 1] < age) i++;
  const t = (age - anchors[i]) / (anchors[i + 1] - anchors[i]);
  return [[i, 1 - t], [i + 1, t]];
}

/** The mean shape at `age` for `gender` (null or unknown: both sexes). */
export function meanShapeAt(means: ShapeMeans, age: number, gender: number | null = null): Float32Array {
  const want = gender === 0 || gender === 1 ? gender : null;
  let list = means.groups.filter((g) => g.gender === want);
  if (list.length === 0) list = means.groups.filter((g) => g.gender === null);
  list = [...list].sort((a, b) => a.anchorAge - b.anchorAge);
  const out = new Float32Array(SHAPE_LENGTH);
  for (const [i, w] of anchorWeights(list.map((g) => g.anchorAge), age)) {
    for (let j = 0; j < SHAPE_LENGTH; j++) out[j] += w * list[i].shape[j];
  }
  return out;
}

export function parseShapeMeans(json: unknown): ShapeMeans {
  const m = json as ShapeMeans;
  if (!m || m.format !== SHAPE_MEANS_FORMAT || !Array.isArray(m.groups) || m.groups.length === 0) throw new Error('not a shape-means file');
  for (const g of m.groups) if (!Array.isArray(g.shape) || g.shape.length !== SHAPE_LENGTH) throw new Error('shape-means: a group has no 68-point shape');
  if (!Array.isArray(m.reference) || m.reference.length !== SHAPE_LENGTH) throw new Error('shape-means: no reference shape');
  return m;
}

export { LANDMARK_COUNT };
