/**
 * Image filters of the prototype method: the soft face mask and a separable Gaussian blur.
 */

/**
 * Soft ellipse in canonical-crop units: centre (0.5, 0.5), radii 0.42 x 0.52, which covers forehead,
 * hair line, cheeks and chin of the canonical framing (eyes at y 0.38, mouth at 0.72) and leaves
 * the corners (background, shoulders) alone; full weight inside 80% of the radius, smoothstep to 0
 * at the edge.
 */
export function faceMask(size: number): Float32Array {
  const m = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = ((x + 0.5) / size - 0.5) / 0.42;
      const v = ((y + 0.5) / size - 0.5) / 0.52;
      const r = Math.sqrt(u * u + v * v);
      const t = Math.min(1, Math.max(0, (1 - r) / 0.2));
      m[y * size + x] = t * t * (3 - 2 * t);
    }
  }
  return m;
}

/** Separable Gaussian blur of an [S, S, channels] image, borders clamped. Returns a new array. */
export function gaussianBlur(img: Float32Array, size: number, sigma: number, channels = 3): Float32Array {
  if (sigma <= 0) return img.slice();
  const kernel = gaussianKernel(sigma);
  const radius = (kernel.length - 1) / 2;
  const clamp = (i: number) => (i < 0 ? 0 : i >= size ? size - 1 : i);
  const C = channels;
  const tmp = new Float32Array(img.length);
  const out = new Float32Array(img.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let k = -radius; k <= radius; k++) s += kernel[k + radius] * img[(y * size + clamp(x + k)) * C + c];
        tmp[(y * size + x) * C + c] = s;
      }
    }
  }
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let k = -radius; k <= radius; k++) s += kernel[k + radius] * tmp[(clamp(y + k) * size + x) * C + c];
        out[(y * size + x) * C + c] = s;
      }
    }
  }
  return out;
}

/** Normalised 1-D Gaussian taps, radius ceil(3 sigma). */
export function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  return kernel;
}
