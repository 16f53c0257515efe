/**
 * Engine-side export rendering. Runs in the engine process only.
 * - exportPhotoOp: the ORIGINAL photo at full resolution with every requested face aged and
 *   pasted back in place, encoded without metadata (encodeImage writes none), except the
 *   original's GPS tags when the user asked to keep the location. The decoded photo
 *   stays cached between ages, so photos x ages decodes each photo once.
 * - exportComposeOp: a contact sheet (rows x columns of face crops, age labels on top) or an
 *   animated timeline (one frame per age, animated WebP or GIF) from already-aged crops.
 */
import sharp, { type OverlayOptions } from 'sharp';
import { alignFace } from '../../../models/face/align';
import { pasteBack } from '../../../models/face/paste-back';
import { readGpsTags } from '../../../models/image/exif-gps';
import { encodeImage } from '../../../models/image/image-io';
import type { ExportComposeRequest, ExportImageWire, ExportPhotoRequest } from '../protocol';
import { ageAlignedFace, agingModel, cropSizeFor, decodedPhoto, pasteMaskFor, throwIfCancelled as cancelled } from './aging-core';

const MIME = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' } as const;

export async function exportPhotoOp(req: ExportPhotoRequest, signal: AbortSignal): Promise<ExportImageWire> {
  const [img, m] = await Promise.all([decodedPhoto(req.path), agingModel(req.modelDir)]);
  cancelled(signal);
  // Faces are aligned from the untouched photo and pasted into one copy of it.
  const result = { width: img.width, height: img.height, data: Uint8Array.from(img.data) };
  for (const face of req.faces) {
    cancelled(signal);
    const size = cropSizeFor(m, face.landmarks);
    const aligned = alignFace(img, { landmarks: face.landmarks }, size);
    const { out, rec } = await ageAlignedFace(m, aligned, face.sourceAge, req.age, signal, face.landmarks);
    await pasteBack(result, { toCrop: aligned.toCrop, size }, { size, data: out }, rec ? { size, data: rec } : undefined, { inPlace: true, mask: pasteMaskFor(m) });
  }
  cancelled(signal);
  const gps = req.keepLocation ? readGpsTags((await sharp(req.path).metadata()).exif) : null;
  const bytes = await encodeImage(result, { format: req.format, quality: req.quality, gps });
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
    // sharp composites in RGBA whatever the base's channels; the encoder takes packed RGB.
    const base = sharp({ create: { width, height, channels: 3, background: '#000000' } }).composite(parts);
    const { data: raw, info } = await base.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== width || info.height !== height) {
      throw new Error(`contact sheet rendered as ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`);
    }
    const bytes = await encodeImage({ width, height, data: new Uint8Array(raw.buffer, raw.byteOffset, raw.length) }, { format: req.format, quality: req.quality });
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
