/**
 * Thin-plate spline maps between two sets of 2-D points, and the dense backward warps built from
 * them. Every geometric move of the aging pipeline is one of these:
 *   - the shape stage moves a face's landmarks L toward the target age's shape T: each output pixel
 *     p samples the input at f(p), where f(T_i) = L_i;
 *   - shape normalisation warps a training face onto the reference shape R before averaging (sharp
 *     means: every eye lands on the same pixels), f(R_i) = L_i.
 * A TPS is the smoothest map (least bending energy) through the points, so there are no triangle
 * kinks; `lambda` > 0 relaxes the fit where landmarks are noisy.
 *
 * Points are flat arrays [x0, y0, x1, y1, ...] in any one coordinate unit (unit crop coordinates
 * here); images are channel-interleaved Float32Array, size x size.
 */

export interface Tps {
  /** Source points the map was fitted on (flat x, y). */
  readonly from: Float64Array;
  /** Kernel weights [n, 2] then affine part [3, 2]: f(p) = a0 + a1 x + a2 y + sum_i w_i U(|p - from_i|). */
  readonly coef: Float64Array;
}

const kernel = (r2: number) => (r2 < 1e-20 ? 0 : r2 * Math.log(r2));

/** Solves A x = b in place for a dense n x n system with several right-hand sides (Gauss, partial pivoting). */
function solve(a: Float64Array, b: Float64Array, n: number, rhs: number): void {
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[piv * n + col])) piv = r;
    if (Math.abs(a[piv * n + col]) < 1e-12) throw new Error('thin-plate spline: degenerate points');
    if (piv !== col) {
      for (let c = 0; c < n; c++) [a[col * n + c], a[piv * n + c]] = [a[piv * n + c], a[col * n + c]];
      for (let c = 0; c < rhs; c++) [b[col * rhs + c], b[piv * rhs + c]] = [b[piv * rhs + c], b[col * rhs + c]];
    }
    const d = a[col * n + col];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r * n + col] / d;
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] -= f * a[col * n + c];
      for (let c = 0; c < rhs; c++) b[r * rhs + c] -= f * b[col * rhs + c];
    }
  }
  for (let r = 0; r < n; r++) for (let c = 0; c < rhs; c++) b[r * rhs + c] /= a[r * n + r];
}

/** The TPS with f(from_i) ~= to_i (exactly when lambda is 0). */
export function fitTps(from: ArrayLike<number>, to: ArrayLike<number>, lambda = 0): Tps {
  const n = from.length / 2;
  if (n < 3 || from.length !== to.length) throw new Error('thin-plate spline needs 3 or more matching points');
  const m = n + 3;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dx = from[2 * i] - from[2 * j];
      const dy = from[2 * i + 1] - from[2 * j + 1];
      a[i * m + j] = kernel(dx * dx + dy * dy) + (i === j ? lambda : 0);
    }
    const row = [1, from[2 * i], from[2 * i + 1]];
    for (let k = 0; k < 3; k++) {
      a[i * m + n + k] = row[k];
      a[(n + k) * m + i] = row[k];
    }
    b[i * 2] = to[2 * i];
    b[i * 2 + 1] = to[2 * i + 1];
  }
  solve(a, b, m, 2);
  return { from: Float64Array.from(from), coef: b };
}

/** f(x, y) written into out[o], out[o + 1]. */
export function applyTps(t: Tps, x: number, y: number, out: Float64Array | Float32Array, o = 0): void {
  const n = t.from.length / 2;
  const c = t.coef;
  let fx = c[n * 2] + c[n * 2 + 2] * x + c[n * 2 + 4] * y;
  let fy = c[n * 2 + 1] + c[n * 2 + 3] * x + c[n * 2 + 5] * y;
  for (let i = 0; i < n; i++) {
    const dx = x - t.from[2 * i];
    const dy = y - t.from[2 * i + 1];
    const u = kernel(dx * dx + dy * dy);
    fx += c[2 * i] * u;
    fy += c[2 * i + 1] * u;
  }
  out[o] = fx;
  out[o + 1] = fy;
}

/**
 * A dense backward map for a size x size image: map[2 * (y * size + x) + k] is where output pixel
 * (x, y) samples, in pixels. The TPS is in unit coordinates; it is evaluated on a coarse grid
 * (every `step` pixels) and interpolated bilinearly, since it is smooth. `fade` (unit coordinates ->
 * [0, 1]) scales the displacement, so the map is the identity where fade is 0. With `sourceSize`
 * the positions are in pixels of a source of that size (e.g. 128 px means sampled for a 400 px face).
 */
export function denseMap(
  t: Tps,
  size: number,
  opts: { step?: number; fade?: (u: number, v: number) => number; sourceSize?: number } = {},
): Float32Array {
  const srcSize = opts.sourceSize ?? size;
  const step = opts.step ?? Math.max(2, Math.round(size / 48));
  const g = Math.ceil((size - 1) / step) + 1;
  const grid = new Float64Array(g * g * 2);
  const tmp = new Float64Array(2);
  for (let gy = 0; gy < g; gy++) {
    for (let gx = 0; gx < g; gx++) {
      const u = (Math.min(gx * step, size - 1) + 0.5) / size;
      const v = (Math.min(gy * step, size - 1) + 0.5) / size;
      applyTps(t, u, v, tmp);
      const o = (gy * g + gx) * 2;
      grid[o] = tmp[0] - u;
      grid[o + 1] = tmp[1] - v;
    }
  }
  const map = new Float32Array(size * size * 2);
  for (let y = 0; y < size; y++) {
    const fy = Math.min(y / step, g - 1);
    const y0 = Math.min(Math.floor(fy), g - 2 < 0 ? 0 : g - 2);
    const wy = fy - y0;
    for (let x = 0; x < size; x++) {
      const fx = Math.min(x / step, g - 1);
      const x0 = Math.min(Math.floor(fx), g - 2 < 0 ? 0 : g - 2);
      const wx = fx - x0;
      const o = (y * size + x) * 2;
      const u = (x + 0.5) / size;
      const v = (y + 0.5) / size;
      const f = opts.fade ? opts.fade(u, v) : 1;
      for (let k = 0; k < 2; k++) {
        const a = grid[(y0 * g + x0) * 2 + k];
        const b = grid[(y0 * g + x0 + 1) * 2 + k];
        const c = grid[((y0 + 1) * g + x0) * 2 + k];
        const d = grid[((y0 + 1) * g + x0 + 1) * 2 + k];
        const disp = (a * (1 - wx) + b * wx) * (1 - wy) + (c * (1 - wx) + d * wx) * wy;
        map[o + k] = ((k === 0 ? u : v) + f * disp) * srcSize - 0.5;
      }
    }
  }
  return map;
}

/**
 * Samples `src` (sourceSize x sourceSize x channels, interleaved) at the map's positions,
 * bilinearly, clamping to the border. Returns one pixel per map entry, same channel layout.
 */
export function remap(src: Float32Array, size: number, map: Float32Array, channels = 3, sourceSize = size): Float32Array {
  const n = map.length / 2;
  const out = new Float32Array(n * channels);
  const last = sourceSize - 1;
  for (let p = 0; p < n; p++) {
    const x = Math.min(last, Math.max(0, map[2 * p]));
    const y = Math.min(last, Math.max(0, map[2 * p + 1]));
    const x0 = Math.min(Math.floor(x), last - 1 < 0 ? 0 : last - 1);
    const y0 = Math.min(Math.floor(y), last - 1 < 0 ? 0 : last - 1);
    const wx = x - x0;
    const wy = y - y0;
    const i00 = (y0 * sourceSize + x0) * channels;
    const i01 = i00 + channels;
    const i10 = i00 + sourceSize * channels;
    const i11 = i10 + channels;
    for (let c = 0; c < channels; c++) {
      out[p * channels + c] = (src[i00 + c] * (1 - wx) + src[i01 + c] * wx) * (1 - wy) + (src[i10 + c] * (1 - wx) + src[i11 + c] * wx) * wy;
    }
  }
  return out;
}
