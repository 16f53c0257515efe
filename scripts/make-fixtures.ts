/**
 * Regenerates tests/fixtures/photos and tests/fixtures/faces from the portraits in
 * ../shared/data/portraits (see its README: they may be committed as test fixtures).
 *   npx esbuild --bundle --platform=node --format=cjs --external:@tensorflow/* \
 *     --external:@vladmandic/face-api --external:sharp scripts/make-fixtures.ts --outfile=/tmp/make-fixtures.cjs
 *   NODE_PATH=$PWD/node_modules node /tmp/make-fixtures.cjs [portraitsDir] [fixturesDir]
 * Photos are downscaled / cropped so the whole tests/fixtures folder stays around 1 MB.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../models/backend/select';
import { alignFace } from '../models/face/align';
import { analyzePhoto, locateFaces } from '../models/face/analyze';
import { loadFaceModels } from '../models/face/face-models';
import { decodeImage, encodeImage } from '../models/image/image-io';
import { isPhotoError } from '../models/image/photo-error';

const portraits = path.resolve(process.argv[2] ?? '../shared/data/portraits');
const fixtures = path.resolve(process.argv[3] ?? 'tests/fixtures');
const photos = path.join(fixtures, 'photos');
const faces = path.join(fixtures, 'faces');
const P = (f: string) => path.join(portraits, f);

async function writePhotos(): Promise<void> {
  mkdirSync(photos, { recursive: true });
  const out = (f: string) => path.join(photos, f);
  // One face, ~75 px between the eyes (editable).
  await sharp(P('obama-1.jpg')).resize(640).jpeg({ quality: 82 }).toFile(out('one-face.jpg'));
  // Two faces at full resolution: the part of obama-and-biden around both heads.
  await sharp(P('obama-and-biden.jpg')).extract({ left: 620, top: 200, width: 900, height: 640 }).jpeg({ quality: 80 }).toFile(out('two-faces.jpg'));
  // A real photo region without any face: the curtains and window left of Obama in obama-1080p.
  await sharp(P('obama-1080p.jpg')).extract({ left: 0, top: 0, width: 560, height: 700 }).resize(320).jpeg({ quality: 82 }).toFile(out('no-face.jpg'));
  // Pixels turned 90 degrees counter-clockwise, with EXIF Orientation 6 ("turn 90 clockwise to
  // display") that undoes it: a decoder that ignores EXIF sees a face lying on its side.
  // (Two pipelines: within one, sharp rotates before it resizes.)
  const small = await sharp(P('obama-1.jpg')).resize(640).toBuffer();
  const turned = await sharp(small).rotate(270).toBuffer();
  await sharp(turned).withMetadata({ orientation: 6 }).jpeg({ quality: 82 }).toFile(out('rotated-exif.jpg'));
  await sharp(P('biden-2.jpg')).resize(480).greyscale().jpeg({ quality: 82 }).toFile(out('grayscale.jpg'));
  await sharp(P('rose-leslie-2.jpg')).resize(300).toColourspace('cmyk').jpeg({ quality: 70 }).toFile(out('cmyk.jpg'));
  // RGBA: the portrait with a transparent frame (decoding must flatten it on white).
  const rgba = await sharp(P('rgba-32bit.png')).resize(320).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = rgba.info;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x < 16 || y < 16 || x >= width - 16 || y >= height - 16) rgba.data[(y * width + x) * 4 + 3] = 0;
    }
  }
  await sharp(rgba.data, { raw: { width, height, channels: 4 } }).png({ palette: true, quality: 90 }).toFile(out('rgba.png'));
  // Two-frame animated GIF.
  const frame = (c: string) => sharp({ create: { width: 48, height: 48, channels: 3, background: c } }).png().toBuffer();
  const gif = await sharp([await frame('#c03030'), await frame('#3030c0')], { join: { animated: true } }).gif({ delay: [300, 300], loop: 0 }).toBuffer();
  writeFileSync(out('animated.gif'), gif);
  // A (tiny but valid-looking) PDF renamed .jpg.
  writeFileSync(
    out('fake.jpg'),
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  );
}

async function assertNoFace(file: string): Promise<void> {
  try {
    await locateFaces(await decodeImage(file), { minEyeDistance: 1 });
  } catch (e) {
    if (isPhotoError(e) && e.code === 'no-face') return;
    throw e;
  }
  throw new Error(`${file} contains a face; pick another region`);
}

/** ~16 aligned 128x128 crops (same aligner as the app) with their face-api age estimates. */
async function writeFaces(): Promise<void> {
  mkdirSync(faces, { recursive: true });
  const sources = [
    'obama-1.jpg', 'obama-2.jpg', 'obama-3.jpg', 'obama-4.jpg', 'biden-1.jpg', 'biden-2.jpg',
    'kit-harington-1.jpg', 'kit-harington-2.jpg', 'rose-leslie-1.jpg', 'rose-leslie-2.jpg',
    'alex-lacamoire-1.jpg', 'alex-lacamoire-2.jpg', 'obama-and-biden.jpg', 'two-people.jpg',
    'kit-harington-and-rose-leslie.jpg',
  ];
  const rows = ['file,age'];
  let k = 0;
  for (const f of sources) {
    const img = await decodeImage(P(f));
    const found = await analyzePhoto(img, { faces: 'all', minEyeDistance: 24 });
    for (const face of found) {
      const crop = alignFace(img, face, 128);
      const name = `face-${String(k++).padStart(2, '0')}-${path.basename(f, path.extname(f))}.jpg`;
      writeFileSync(path.join(faces, name), await encodeImage({ width: 128, height: 128, data: crop.data }, { format: 'jpeg', quality: 95 }));
      rows.push(`${name},${Math.round(face.age)}`);
    }
  }
  writeFileSync(path.join(faces, 'labels.csv'), rows.join('\n') + '\n');
  console.log(`${k} aligned faces`);
}

async function main(): Promise<void> {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
  await writePhotos();
  await assertNoFace(path.join(photos, 'no-face.jpg'));
  await writeFaces();
  console.log(`fixtures written to ${fixtures}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
