/**
 * Contact sheet of hard cases, aged the way the studio ages a photo (align at the face's size,
 * the model, paste-back with the model's mask, at full resolution), one row per case:
 *   input | target 1 | target 2 | ...
 * Each cell is the photo region around the face (1.5 x the aligned crop), resized to --cell.
 *   node dist/tools/hard-cases-main.cjs (after node scripts/build.mjs --only=tools) --model DIR --out sheet.png --targets 5,20,40,60,80 \
 *     --case path/to/photo.jpg[#faceIndex][@age] ...
 * Without @age the case's source age is face-api's estimate.
 */
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { initBackend } from '../../models/backend/select';
import { alignFace, scaleAffine } from '../../models/face/align';
import { composeAffine, invertAffine, applyAffine } from '../../models/face/affine';
import { analyzePhoto } from '../../models/face/analyze';
import { loadFaceModels } from '../../models/face/face-models';
import { pasteBack } from '../../models/face/paste-back';
import { cropImage, type DecodedImage } from '../../models/image/decoded-image';
import { decodeImage } from '../../models/image/image-io';
import { ageAlignedFace, agingModel, cropSizeFor, pasteMaskFor } from '../../main/engine/ops/aging-core';

function regionAround(img: DecodedImage, toCrop: readonly number[], size: number) {
  const toPhoto = invertAffine(composeAffine(toCrop as never, scaleAffine(1 / size)));
  const c = applyAffine(toPhoto, { x: 0.5, y: 0.5 });
  const e = applyAffine(toPhoto, { x: 1, y: 0.5 });
  const half = 0.75 * 2 * Math.hypot(e.x - c.x, e.y - c.y);
  const x = Math.max(0, Math.round(c.x - half));
  const y = Math.max(0, Math.round(c.y - half));
  const side = Math.round(2 * half);
  return { x, y, width: Math.min(side, img.width - x), height: Math.min(side, img.height - y) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { model: { type: 'string', multiple: true }, out: { type: 'string' }, targets: { type: 'string' }, case: { type: 'string', multiple: true }, cell: { type: 'string' } },
  });
  if (!values.model?.length || !values.out || !values.case?.length) throw new Error('usage: --model DIR [--model DIR2] --out FILE --case PHOTO[#i][@age] ...');
  const targets = (values.targets ?? '5,20,40,60,80').split(',').map(Number);
  const cell = Number(values.cell ?? 256);
  await initBackend();
  await loadFaceModels();
  const models = await Promise.all(values.model.map((m) => agingModel(m)));
  const signal = new AbortController().signal;
  const rows: Buffer[][] = [];
  for (const spec of values.case) {
    const m = /^(.*?)(?:#(\d+))?(?:@(\d+(?:\.\d+)?))?$/.exec(spec)!;
    const img = await decodeImage(m[1]);
    const faces = await analyzePhoto(img, { faces: 'all', minEyeDistance: 12 });
    faces.sort((a, b) => b.eyeDistance - a.eyeDistance);
    const face = faces[Number(m[2] ?? 0)];
    if (!face) throw new Error(`${spec}: no face`);
    const source = m[3] ? Number(m[3]) : face.age;
    for (const model of models) {
      const size = cropSizeFor(model, face.landmarks);
      const aligned = alignFace(img, { landmarks: face.landmarks }, size);
      const rect = regionAround(img, aligned.toCrop, size);
      const row: Buffer[] = [];
      const toCell = (im: DecodedImage) => sharp(Buffer.from(im.data), { raw: { width: im.width, height: im.height, channels: 3 } }).resize(cell, cell, { fit: 'contain', background: '#000' }).raw().toBuffer();
      const base = cropImage(img, rect);
      row.push(await toCell(base));
      const [a, b, c, d, e, f] = aligned.toCrop;
      const toCrop = [a, b, c + a * rect.x + b * rect.y, d, e, f + d * rect.x + e * rect.y] as const;
      for (const t of targets) {
        const { out, rec } = await ageAlignedFace(model, aligned, source, t, signal, face.landmarks);
        const pasted = await pasteBack(base, { toCrop: [...toCrop] as never, size }, { size, data: out }, rec ? { size, data: rec } : undefined, { mask: pasteMaskFor(model) });
        row.push(await toCell(pasted));
      }
      rows.push(row);
      console.error(`${spec}: source ${source.toFixed(0)}, crop ${size} px`);
    }
  }
  const cols = targets.length + 1;
  const header = 28;
  const parts: OverlayOptions[] = [];
  ['input', ...targets.map(String)].forEach((t, i) => {
    parts.push({ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${cell}" height="${header}"><rect width="100%" height="100%" fill="#202020"/><text x="50%" y="50%" dominant-baseline="central" text-anchor="middle" font-family="sans-serif" font-size="18" fill="#fff">${t}</text></svg>`), left: i * cell, top: 0 });
  });
  rows.forEach((row, r) => row.forEach((px, c) => parts.push({ input: px, raw: { width: cell, height: cell, channels: 3 }, left: c * cell, top: header + r * cell })));
  await sharp({ create: { width: cols * cell, height: header + rows.length * cell, channels: 3, background: '#000' } }).composite(parts).png().toFile(values.out);
  console.error(`wrote ${values.out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
