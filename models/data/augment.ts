/**
 * Per-face geometric augmentation and resizing in one resampling pass (plain JS on uint8 crops,
 * so it costs no tensors): horizontal flip, a small shift and zoom about the centre, and
 * antialiased resize from the stored size S to the trainer's resolution R.
 */

export interface Warp {
  flip: boolean;
  /** Shift in source pixels. */
  dx: number;
  dy: number;
  /** > 1 zooms out (sees more of the source), < 1 zooms in. */
  scale: number;
}

export const IDENTITY_WARP: Warp = { flip: false, dx: 0, dy: 0, scale: 1 };

export interface JitterOptions {
  flip: boolean;
  /** Largest shift as a fraction of the crop side (e.g. 0.03 -> +-4 px at 128). */
  shift: number;
  /** Largest relative zoom change (e.g. 0.04 -> scale in [0.96, 1.04]). */
  zoom: number;
}

export const DEFAULT_JITTER: JitterOptions = { flip: true, shift: 0.03, zoom: 0.04 };

export function randomWarp(rand: () => number, size: number, j: JitterOptions): Warp {
  return {
    flip: j.flip && rand() < 0.5,
    dx: (rand() * 2 - 1) * j.shift * size,
    dy: (rand() * 2 - 1) * j.shift * size,
    scale: 1 + (rand() * 2 - 1) * j.zoom,
  };
}

/**
 * Writes the warped, resized face into out[offset .. offset + R*R*3) as floats in [-1, 1].
 * src: S*S*3 uint8 RGB. Each output pixel averages k x k bilinear taps spread over its footprint
 * in the source (k = ceil(S * scale / R)), which antialiases downscaling (128 -> 64 is an exact
 * 2x2 box filter); borders are clamped.
 */
export function warpResize(src: Uint8Array, S: number, out: Float32Array, offset: number, R: number, w: Warp): void {
  const step = (S * w.scale) / R;
  const k = Math.max(1, Math.ceil(step - 1e-6));
  const inv = 1 / (k * k);
  const max = S - 1;
  const cx = S / 2 + w.dx;
  const cy = S / 2 + w.dy;
  for (let v = 0; v < R; v++) {
    for (let u = 0; u < R; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < k; sy++) {
        const yy = cy + ((v + (sy + 0.5) / k) / R - 0.5) * S * w.scale - 0.5;
        const y = yy < 0 ? 0 : yy > max ? max : yy;
        const y0 = Math.floor(y);
        const y1 = y0 < max ? y0 + 1 : max;
        const fy = y - y0;
        for (let sx = 0; sx < k; sx++) {
          let xn = (u + (sx + 0.5) / k) / R;
          if (w.flip) xn = 1 - xn;
          const xx = cx + (xn - 0.5) * S * w.scale - 0.5;
          const x = xx < 0 ? 0 : xx > max ? max : xx;
          const x0 = Math.floor(x);
          const x1 = x0 < max ? x0 + 1 : max;
          const fx = x - x0;
          const i00 = (y0 * S + x0) * 3;
          const i01 = (y0 * S + x1) * 3;
          const i10 = (y1 * S + x0) * 3;
          const i11 = (y1 * S + x1) * 3;
          const w00 = (1 - fx) * (1 - fy);
          const w01 = fx * (1 - fy);
          const w10 = (1 - fx) * fy;
          const w11 = fx * fy;
          r += src[i00] * w00 + src[i01] * w01 + src[i10] * w10 + src[i11] * w11;
          g += src[i00 + 1] * w00 + src[i01 + 1] * w01 + src[i10 + 1] * w10 + src[i11 + 1] * w11;
          b += src[i00 + 2] * w00 + src[i01 + 2] * w01 + src[i10 + 2] * w10 + src[i11 + 2] * w11;
        }
      }
      const o = offset + (v * R + u) * 3;
      // bytes [0, 255] -> [-1, 1]
      out[o] = (r * inv) / 127.5 - 1;
      out[o + 1] = (g * inv) / 127.5 - 1;
      out[o + 2] = (b * inv) / 127.5 - 1;
    }
  }
}
