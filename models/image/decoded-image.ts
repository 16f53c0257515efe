/**
 * The one in-memory picture type of the face pipeline: 8-bit sRGB, 3 channels interleaved,
 * row-major, EXIF orientation already applied (data.length === width * height * 3).
 */
export interface DecodedImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function createImage(width: number, height: number, data?: Uint8Array): DecodedImage {
  const size = width * height * 3;
  if (data && data.length !== size) {
    throw new Error(`image data has ${data.length} bytes, expected ${size} for ${width}x${height}x3`);
  }
  return { width, height, data: data ?? new Uint8Array(size) };
}

export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Copies a region; parts outside the image are filled with `fill` (grey by default). */
export function cropImage(img: DecodedImage, rect: PixelRect, fill = 128): DecodedImage {
  const out = createImage(rect.width, rect.height);
  out.data.fill(fill);
  const x0 = Math.max(0, rect.x);
  const x1 = Math.min(img.width, rect.x + rect.width);
  if (x1 <= x0) return out;
  for (let y = Math.max(0, rect.y); y < Math.min(img.height, rect.y + rect.height); y++) {
    const src = (y * img.width + x0) * 3;
    const dst = ((y - rect.y) * rect.width + (x0 - rect.x)) * 3;
    out.data.set(img.data.subarray(src, src + (x1 - x0) * 3), dst);
  }
  return out;
}

export function cloneImage(img: DecodedImage): DecodedImage {
  return { width: img.width, height: img.height, data: new Uint8Array(img.data) };
}
