/**
 * Engine-side export rendering. Runs in the engine process only.
 * - exportPhotoOp: the ORIGINAL photo at full resolution with every requested face aged and
 *   pasted back in place, encoded without metadata (encodeImage writes none). The decoded photo
 *   stays cached between ages, so photos x ages decodes each photo once.
 * - exportComposeOp: a contact sheet (rows x columns of face crops, age labels on top) or an
 *   animated timeline (one frame per age, animated WebP or GIF) from already-aged crops.
 */
import * as tf from '@tensorflow/tfjs-core';
import sharp, { type OverlayOptions } from 'sharp';
import { alignFace } from '../../../models/face/align';
import { pasteBack } from '../../../models/face/paste-back';
import { decodeImage, encodeImage, type DecodedPhoto } from '../../../models/image/image-io';
import { loadEvalModel } from '../../../models/eval/load-model';
import type { EvaluableModel } from '../../../models/eval/evaluate';
import type { ExportComposeRequest, ExportImageWire, ExportPhotoRequest } from '../protocol';
import { LruCache } from './lru';

const photos = new LruCache<string, Promise<DecodedPhoto>>(1);
const models = new LruCache<string, Promise<EvaluableModel>>(1, (m) => void m.then((x) => x.dispose(), () => {}));

const MIME = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' } as const;

function cancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('cancelled');
}

function cached<T>(cache: LruCache<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

function model(dir: string): Promise<EvaluableModel> {
  return cached(models, dir, async () => {
    const { model: m } = await loadEvalModel(dir);
    if (m === 'no-change') throw new Error(`${dir} is not an aging model`);
    return m;
  });
}

/** [1, size, size, 3] in [-1, 1] -> [size*size*3] uint8. */
async function toBytes(t: tf.Tensor4D): Promise<Uint8Array> {
  const scaled = tf.tidy(() => tf.clipByValue(tf.round(tf.mul(tf.add(t, 1), 127.5)), 0, 255));
  try {
    return Uint8Array.from(await scaled.data());
  } finally {
    scaled.dispose();
  }
}

export async function exportPhotoOp(req: ExportPhotoRequest, signal: AbortSignal): Promise<ExportImageWire> {
  const [img, m] = await Promise.all([cached(photos, req.path, () => decodeImage(req.path)), model(req.modelDir)]);
  cancelled(signal);
  const size = m.resolution;
  // Faces are aligned from the untouched photo and pasted into one copy of it.
  const result = { width: img.width, height: img.height, data: Uint8Array.from(img.data) };
  for (const face of req.faces) {
    cancelled(signal);
    const aligned = alignFace(img, { landmarks: face.landmarks }, size);
    // [1, size, size, 3] in [-1, 1]
    const input = tf.tidy(() => tf.sub(tf.div(tf.tensor4d(aligned.data, [1, size, size, 3], 'int32').toFloat(), 127.5), 1)) as tf.Tensor4D;
    try {
      const { output, reconstruction } = await m.age(input, face.sourceAge, req.age, { signal });
      let out: Uint8Array;
      let rec: Uint8Array | null;
      try {
        out = await toBytes(output);
        rec = reconstruction ? await toBytes(reconstruction) : null;
      } finally {
        output.dispose();
        reconstruction?.dispose();
      }
      await pasteBack(result, { toCrop: aligned.toCrop, size }, { size, data: out }, rec ? { size, data: rec } : undefined, { inPlace: true });
    } finally {
      input.dispose();
    }
  }
  cancelled(signal);
  const bytes = await encodeImage(result, { format: req.format, quality: req.quality });
  return { mime: MIME[req.format], width: img.width, height: img.height, bytes: new Uint8Array(bytes) };
}

/** White-on-dark age label as an SVG overlay (text rendering needs a font; without one it is skipped). */
function label(text: string, width: number, height: number): Buffer {
  const fontSize = Math.max(8, Math.round(height * 0.6));
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="100%" height="100%" fill="#202020"/>` +
      `<text x="50%" y="50%" dominant-baseline="central" text-anchor="middle" font-family="sans-serif" font-size="${fontSize}" fill="#ffffff">${text}</text></svg>`,
  );
}

async function cellRaw(png: Uint8Array, cell: number): Promise<Buffer> {
  return sharp(png).removeAlpha().resize(cell, cell, { fit: 'contain', background: '#000000' }).raw().toBuffer();
}

export async function exportComposeOp(req: ExportComposeRequest, signal: AbortSignal): Promise<ExportImageWire> {
  const cell = req.cellSize;
  if (req.layout === 'contact-sheet') {
    const cols = req.ages.length;
    const header = Math.max(12, Math.round(cell / 5));
    const width = cols * cell;
    const height = header + req.rows.length * cell;
    const parts: OverlayOptions[] = req.ages.map((age, c) => ({ input: label(String(age), cell, header), left: c * cell, top: 0 }));
    for (const [r, row] of req.rows.entries()) {
      for (const [c, png] of row.entries()) {
        cancelled(signal);
        parts.push({ input: await cellRaw(png, cell), raw: { width: cell, height: cell, channels: 3 }, left: c * cell, top: header + r * cell });
      }
    }
    const base = sharp({ create: { width, height, channels: 3, background: '#000000' } }).composite(parts);
    const raw = await base.raw().toBuffer();
    const bytes = await encodeImage({ width, height, data: new Uint8Array(raw) }, { format: req.format, quality: req.quality });
    return { mime: MIME[req.format], width, height, bytes: new Uint8Array(bytes) };
  }
  // Animated timeline: frames stacked vertically in one raw buffer, split into pages by pageHeight.
  const frames = req.rows[0] ?? [];
  if (frames.length === 0) throw new Error('an animated timeline needs at least one frame');
  const stacked = Buffer.alloc(cell * cell * 3 * frames.length);
  for (const [i, png] of frames.entries()) {
    cancelled(signal);
    (await cellRaw(png, cell)).copy(stacked, i * cell * cell * 3);
  }
  const s = sharp(stacked, { raw: { width: cell, height: cell * frames.length, channels: 3, pageHeight: cell } });
  const delay = frames.map(() => req.frameMs);
  const animated = req.format === 'webp';
  const bytes = animated
    ? await s.webp({ quality: req.quality, loop: 0, delay }).toBuffer()
    : await s.gif({ loop: 0, delay }).toBuffer();
  return { mime: animated ? MIME.webp : MIME.gif, width: cell, height: cell, bytes: new Uint8Array(bytes) };
}
