/**
 * 2x3 affine matrices for alignment: [a, b, c, d, e, f] maps (x, y) to
 * (a*x + b*y + c, d*x + e*y + f). Coordinates are continuous pixel coordinates: pixel (i, j)
 * covers [i, i+1) x [j, j+1), so its centre is (i + 0.5, j + 0.5). face-api landmarks use the
 * same convention (relative position times image size).
 */
export type Affine = readonly [number, number, number, number, number, number];

export interface Point {
  x: number;
  y: number;
}

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  if (Math.abs(det) < 1e-12) throw new Error('affine matrix is singular');
  const a = m[4] / det;
  const b = -m[1] / det;
  const d = -m[3] / det;
  const e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

/** Returns the matrix of "apply first, then second". */
export function composeAffine(first: Affine, second: Affine): Affine {
  const [a, b, c, d, e, f] = second;
  return [
    a * first[0] + b * first[3],
    a * first[1] + b * first[4],
    a * first[2] + b * first[5] + c,
    d * first[0] + e * first[3],
    d * first[1] + e * first[4],
    d * first[2] + e * first[5] + f,
  ];
}

/** Uniform scale of a similarity matrix (output pixels per input pixel). */
export function affineScale(m: Affine): number {
  return Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
}

/**
 * Least-squares similarity transform (rotation, uniform scale, translation; no reflection, no shear)
 * taking `src[i]` to `dst[i]`, optionally weighted. Closed form: with centred points,
 * a = sum(w (sx dx + sy dy)) / sum(w |s|^2), b = sum(w (sx dy - sy dx)) / sum(w |s|^2),
 * giving x' = a x - b y + tx, y' = b x + a y + ty.
 */
export function fitSimilarity(src: readonly Point[], dst: readonly Point[], weights?: readonly number[]): Affine {
  if (src.length !== dst.length || src.length < 2) throw new Error('fitSimilarity needs >= 2 point pairs');
  let wsum = 0;
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < src.length; i++) {
    const w = weights?.[i] ?? 1;
    wsum += w;
    sx += w * src[i].x;
    sy += w * src[i].y;
    dx += w * dst[i].x;
    dy += w * dst[i].y;
  }
  sx /= wsum;
  sy /= wsum;
  dx /= wsum;
  dy /= wsum;
  let num1 = 0;
  let num2 = 0;
  let den = 0;
  for (let i = 0; i < src.length; i++) {
    const w = weights?.[i] ?? 1;
    const px = src[i].x - sx;
    const py = src[i].y - sy;
    const qx = dst[i].x - dx;
    const qy = dst[i].y - dy;
    num1 += w * (px * qx + py * qy);
    num2 += w * (px * qy - py * qx);
    den += w * (px * px + py * py);
  }
  if (den < 1e-12) throw new Error('fitSimilarity: source points coincide');
  const a = num1 / den;
  const b = num2 / den;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}
