/**
 * How far an output's landmarks moved toward the target age's mean shape (issue 19, "Shape").
 * Shapes are 68 points (iBUG order) in unit crop coordinates, x,y interleaved (136 numbers), as the
 * shape stage's mean-shape file holds them: { "ages": number[], "shapes": number[][] }.
 *   d(s, m)   RMS point distance after the similarity (Procrustes) fit of s onto m
 *   progress  (d(input, m_t) - d(output, m_t)) / d(input, m_t): 1 = reached the mean shape,
 *             0 = no move, < 0 = moved away
 * A shape stage's shape-means.json (models/stages/shape/shape-means.ts) is read as well (its
 * both-sexes means by anchor age). No tensors, no IO.
 */
import { procrustesDistance } from '../stages/shape/face-points';
import { parseShapeMeans, SHAPE_MEANS_FORMAT } from '../stages/shape/shape-means';

export { procrustesDistance };

export interface ShapeMeans {
  ages: number[];
  shapes: number[][];
}

export function validateShapeMeans(x: unknown): ShapeMeans {
  // The shape stage's own file (a model folder's shape-means.json): both sexes, by anchor age.
  if ((x as { format?: string } | null)?.format === SHAPE_MEANS_FORMAT) {
    const stage = parseShapeMeans(x);
    const groups = stage.groups.filter((g) => g.gender === null).sort((p, q) => p.anchorAge - q.anchorAge);
    return validateShapeMeans({ ages: groups.map((g) => g.anchorAge), shapes: groups.map((g) => g.shape) });
  }
  const m = x as ShapeMeans;
  if (!m || !Array.isArray(m.ages) || !Array.isArray(m.shapes) || m.ages.length === 0 || m.ages.length !== m.shapes.length) {
    throw new Error('shape means must be { "ages": number[], "shapes": number[][] } with one shape per age');
  }
  for (let i = 0; i < m.ages.length; i++) {
    if (!Number.isFinite(m.ages[i]) || (i > 0 && m.ages[i] <= m.ages[i - 1])) throw new Error('shape means: ages must be increasing numbers');
    if (m.shapes[i].length !== 136 || m.shapes[i].some((v) => !Number.isFinite(v))) throw new Error('shape means: each shape must be 68 x,y pairs (136 numbers)');
  }
  return m;
}

/** The mean shape at `age`, linear between the listed ages, the end shapes beyond them. */
export function meanShapeAt(means: ShapeMeans, age: number): Float64Array {
  const { ages, shapes } = means;
  if (age <= ages[0]) return Float64Array.from(shapes[0]);
  if (age >= ages[ages.length - 1]) return Float64Array.from(shapes[ages.length - 1]);
  let k = 0;
  while (ages[k + 1] < age) k++;
  const w = (age - ages[k]) / (ages[k + 1] - ages[k]);
  return Float64Array.from(shapes[k], (v, i) => v * (1 - w) + shapes[k + 1][i] * w);
}

/** Share of the way from the input's shape to the target's mean shape the output went. */
export function shapeProgress(input: ArrayLike<number>, output: ArrayLike<number>, mean: ArrayLike<number>): number | null {
  const d0 = procrustesDistance(input, mean);
  if (d0 < 1e-9) return null;
  return (d0 - procrustesDistance(output, mean)) / d0;
}

export interface ShapeGroup {
  rows: number;
  meanProgress: number | null;
  /** Mean Procrustes distances to the target's mean shape, before and after (unit crop). */
  meanInputDistance: number | null;
  meanOutputDistance: number | null;
}

export function summarizeShape(rows: ReadonlyArray<{ target: number; progress: number | null; inputDistance: number; outputDistance: number }>): { overall: ShapeGroup; byTarget: Record<string, ShapeGroup> } {
  const g = (rs: typeof rows): ShapeGroup => {
    const p = rs.filter((r) => r.progress !== null).map((r) => r.progress!);
    const avg = (xs: number[]) => (xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : null);
    return { rows: rs.length, meanProgress: avg(p), meanInputDistance: avg(rs.map((r) => r.inputDistance)), meanOutputDistance: avg(rs.map((r) => r.outputDistance)) };
  };
  const byTarget: Record<string, ShapeGroup> = {};
  for (const t of [...new Set(rows.map((r) => r.target))].sort((a, b) => a - b)) byTarget[String(t)] = g(rows.filter((r) => r.target === t));
  return { overall: g(rows), byTarget };
}
