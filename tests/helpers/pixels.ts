/**
 * Pixel checks shared by export and preview tests: they decode what the user gets and look at it.
 */
import sharp from 'sharp';

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Mean Pearson correlation of each row of a region with the row below it, on grey levels: near 1
 * for a photograph, near 0 for stripe noise (such as an RGBA buffer read as RGB).
 */
export async function rowCorrelation(image: Buffer | Uint8Array, r: Region): Promise<number> {
  const px = await sharp(image).extract({ left: r.x, top: r.y, width: r.width, height: r.height }).greyscale().raw().toBuffer();
  const w = r.width;
  let total = 0;
  for (let y = 0; y + 1 < r.height; y++) {
    const a = px.subarray(y * w, (y + 1) * w);
    const b = px.subarray((y + 1) * w, (y + 2) * w);
    const ma = a.reduce((s, v) => s + v, 0) / w;
    const mb = b.reduce((s, v) => s + v, 0) / w;
    let num = 0;
    let da = 0;
    let db = 0;
    for (let x = 0; x < w; x++) {
      num += (a[x]! - ma) * (b[x]! - mb);
      da += (a[x]! - ma) ** 2;
      db += (b[x]! - mb) ** 2;
    }
    total += da > 0 && db > 0 ? num / Math.sqrt(da * db) : 1;
  }
  return total / (r.height - 1);
}

