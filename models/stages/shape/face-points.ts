/**
 * The control points every warp of the aging pipeline is fitted on, in unit crop coordinates
 * (the canonical crop of models/face/template.ts, [0, 1]^2):
 *   - the 68 face-api landmarks (iBUG 300-W order);
 *   - 5 forehead points, which no landmark net gives: each brow point pushed up by 0.55 of the
 *     brow-to-chin height, so the forehead grows and shrinks with the face;
 *   - 16 fixed anchors on the crop border, so a warp never moves the crop's edge.
 * Shapes are flat Float32Array [x0, y0, ..., x67, y67] (136 numbers).
 */

export const LANDMARK_COUNT = 68;
export const SHAPE_LENGTH = LANDMARK_COUNT * 2;

/** iBUG index of each point's mirror image (left <-> right). */
export const MIRROR_INDEX: readonly number[] = (() => {
  const m = Array.from({ length: LANDMARK_COUNT }, (_, i) => i);
  const pair = (a: number, b: number) => {
    m[a] = b;
    m[b] = a;
  };
  for (let i = 0; i <= 7; i++) pair(i, 16 - i); // jaw
  for (let i = 0; i < 5; i++) pair(17 + i, 26 - i); // brows
  pair(31, 35);
  pair(32, 34); // nostrils
  [[36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46]].forEach(([a, b]) => pair(a, b)); // eyes
  [[48, 54], [49, 53], [50, 52], [55, 59], [56, 58], [60, 64], [61, 63], [65, 67]].forEach(([a, b]) => pair(a, b)); // mouth
  return m;
})();

/** The shape of the mirrored face (x -> 1 - x, left and right points swapped). */
export function mirrorShape(shape: ArrayLike<number>): Float32Array {
  const out = new Float32Array(SHAPE_LENGTH);
  for (let i = 0; i < LANDMARK_COUNT; i++) {
    const j = MIRROR_INDEX[i];
    out[2 * i] = 1 - shape[2 * j];
    out[2 * i + 1] = shape[2 * j + 1];
  }
  return out;
}

/** Forehead points above the brows (see the file comment). */
function foreheadPoints(shape: ArrayLike<number>): number[] {
  const chinY = shape[2 * 8 + 1];
  const out: number[] = [];
  // Outer brow ends, brow peaks and the point between the brows.
  const picks = [17, 19, 26, 24];
  for (const i of picks) {
    const x = shape[2 * i];
    const y = shape[2 * i + 1];
    out.push(x, y - 0.55 * (chinY - y));
  }
  const mx = (shape[2 * 21] + shape[2 * 22]) / 2;
  const my = (shape[2 * 21 + 1] + shape[2 * 22 + 1]) / 2;
  out.push(mx, my - 0.55 * (chinY - my));
  return out;
}

const BORDER: readonly number[] = (() => {
  const out: number[] = [];
  for (let k = 0; k < 4; k++) {
    const t = k / 4;
    out.push(t, 0, 1, t, 1 - t, 1, 0, 1 - t);
  }
  return out;
})();

/** Landmarks + forehead + border anchors: the points a warp is fitted on (flat x, y). */
export function controlPoints(shape: ArrayLike<number>): Float64Array {
  const pts = [...Array.from({ length: SHAPE_LENGTH }, (_, i) => shape[i]), ...foreheadPoints(shape), ...BORDER];
  return Float64Array.from(pts);
}

/** Root-mean-square distance between two shapes after the best similarity fit of `a` onto `b`. */
export function procrustesDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = LANDMARK_COUNT;
  let ax = 0, ay = 0, bx = 0, by = 0;
  for (let i = 0; i < n; i++) {
    ax += a[2 * i] / n;
    ay += a[2 * i + 1] / n;
    bx += b[2 * i] / n;
    by += b[2 * i + 1] / n;
  }
  let sxx = 0, sxy = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = a[2 * i] - ax, py = a[2 * i + 1] - ay;
    const qx = b[2 * i] - bx, qy = b[2 * i + 1] - by;
    sxx += px * qx + py * qy;
    sxy += px * qy - py * qx;
    norm += px * px + py * py;
  }
  // Similarity (scale s, rotation theta): s cos = sxx / norm, s sin = sxy / norm.
  const c = sxx / norm;
  const s = sxy / norm;
  let err = 0;
  for (let i = 0; i < n; i++) {
    const px = a[2 * i] - ax, py = a[2 * i + 1] - ay;
    const dx = c * px - s * py - (b[2 * i] - bx);
    const dy = s * px + c * py - (b[2 * i + 1] - by);
    err += dx * dx + dy * dy;
  }
  return Math.sqrt(err / n);
}

/** Even-odd test of a point against a polygon (unit coordinates). */
export function insidePolygon(u: number, v: number, poly: ReadonlyArray<readonly [number, number]>): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Index of the age group [edges[g], edges[g + 1]) holding `age` (the last group is open). */
export function ageGroupIndex(age: number, edges: readonly number[]): number {
  let g = 0;
  while (g + 1 < edges.length && age >= edges[g + 1]) g++;
  return g;
}
