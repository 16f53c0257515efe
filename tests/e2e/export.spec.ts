/**
 * Export story against the real main core and the real engine (fresh library with the shipped
 * prototype model, real portraits). The browser host has no native folder dialog, so exports
 * arrive as browser downloads; each is decoded with sharp and checked: the photo's full
 * resolution, changed in the face and (nearly) untouched away from it, for JPEG, PNG and WebP at
 * several ages; the contact sheet's grid; the animated timeline's frames; cancel mid-export;
 * location (GPS EXIF) absent by default and present only when asked. No stub.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Download, Page } from '@playwright/test';
import sharp from 'sharp';
import { readGpsTags } from '../../models/image/exif-gps';
import { rowCorrelation } from '../helpers/pixels';
import { expect, fixturePhoto, openStudio, pickerPhoto, seedPhotos, shot, test, type Crop, type Host } from './ui-fixtures';

test.use({ colorScheme: 'dark' });

interface Saved {
  name: string;
  bytes: Buffer;
}

/** Starts the export shown in the form and resolves with the downloaded files once it is done. */
async function exportAndDownload(page: Page, host: Host, count: number): Promise<Saved[]> {
  const downloads: Download[] = [];
  const listen = (d: Download) => downloads.push(d);
  page.on('download', listen);
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-progress')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await expect.poll(() => downloads.length).toBe(count);
  page.off('download', listen);
  const saved: Saved[] = [];
  for (const d of downloads) {
    const path = join(host.dir, `dl-${saved.length}-${d.suggestedFilename()}`);
    await d.saveAs(path);
    saved.push({ name: d.suggestedFilename(), bytes: readFileSync(path) });
  }
  return saved.sort((a, b) => a.name.localeCompare(b.name));
}

/** Mean absolute RGB difference of two same-size images inside a rectangle. */
async function difference(a: Buffer, b: Buffer, r: Crop): Promise<number> {
  const cut = (x: Buffer) =>
    sharp(x).rotate().removeAlpha().toColourspace('srgb').extract({ left: r.x, top: r.y, width: r.width, height: r.height }).raw().toBuffer();
  const [pa, pb] = await Promise.all([cut(a), cut(b)]);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(pa[i]! - pb[i]!);
  return sum / pa.length;
}

async function faceBox(page: Page, photoId: string): Promise<Crop> {
  const r = await page.evaluate((id) => window.studio!.faces.list({ photoId: id }), photoId);
  if (!r.ok || !r.value.faces[0]) throw new Error(`no face for photo ${photoId}`);
  const b = r.value.faces[0].box;
  return { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) };
}

/** Pick exactly these preset ages in the form. */
async function pickAges(page: Page, ages: number[]): Promise<void> {
  for (const chip of await page.getByTestId('export-ages').locator('[data-testid^="export-age-"]').all()) {
    const age = Number((await chip.getAttribute('data-testid'))!.slice('export-age-'.length));
    const on = (await chip.getAttribute('class'))!.includes('MuiChip-filled');
    if (on !== ages.includes(age)) await chip.click();
  }
}

/** The full-resolution checks every 'files' output must pass. */
async function expectAgedPhoto(out: Saved, original: Buffer, face: Crop, format: string): Promise<void> {
  const meta = await sharp(out.bytes).metadata();
  const src = await sharp(original).metadata();
  const upright = (src.orientation ?? 1) >= 5 ? [src.height, src.width] : [src.width, src.height];
  expect(meta.format, out.name).toBe(format);
  expect([meta.width, meta.height], out.name).toEqual(upright);
  // No metadata at all unless asked: no EXIF (no location, no camera), no orientation flag.
  expect(meta.exif, out.name).toBeUndefined();
  const inFace = await difference(out.bytes, original, face);
  const corner = await difference(out.bytes, original, { x: 0, y: 0, width: 80, height: 80 });
  expect(inFace, `${out.name}: the face changed`).toBeGreaterThan(1.5);
  expect(corner, `${out.name}: far from the face it is the original`).toBeLessThan(3);
  expect(inFace).toBeGreaterThan(corner + 1.5);
}

test('real export: JPEG, PNG and WebP at full resolution, contact sheet, animated timeline, cancel', async ({ page, host }) => {
  test.setTimeout(150_000);
  const files = { one: fixturePhoto('one-face.jpg'), grey: fixturePhoto('grayscale.jpg') };
  await openStudio(page, host, 'export');
  await expect(page.getByTestId('export-empty')).toBeVisible();
  const [oneId, greyId] = await seedPhotos(page, [files.one, files.grey]);
  const faces = { one: await faceBox(page, oneId!), grey: await faceBox(page, greyId!) };

  // Select both photos in the library, then Ctrl+E opens export with them.
  await page.getByTestId('nav-library').click();
  await page.getByTestId('photo-card').nth(0).click();
  await page.getByTestId('photo-card').nth(1).click({ modifiers: ['Control'] });
  await page.getByTestId('photo-total').click();
  await page.keyboard.press('Control+e');
  await expect(page.getByTestId('section-export')).toBeVisible();
  await expect(page.locator('[data-testid="picker-photo"][aria-pressed="true"]')).toHaveCount(2);
  await expect(page.getByTestId('model-picker')).toHaveValue(/.+/);

  // 2 photos x 2 ages as JPEG.
  await pickAges(page, [30, 80]);
  await expect(page.getByTestId('keep-location')).not.toBeChecked();
  await expect(page.getByTestId('export-summary')).toHaveText('4 images from 2 photos at 2 ages');
  await shot(page, 'export-form');
  const jpegs = await exportAndDownload(page, host, 4);
  expect(jpegs.map((f) => f.name)).toEqual(['grayscale-age30.jpg', 'grayscale-age80.jpg', 'one-face-age30.jpg', 'one-face-age80.jpg']);
  for (const f of jpegs) {
    const one = f.name.startsWith('one-face');
    await expectAgedPhoto(f, readFileSync(one ? files.one : files.grey), one ? faces.one : faces.grey, 'jpeg');
  }
  // Two ages give two different faces.
  expect(await difference(jpegs[2]!.bytes, jpegs[3]!.bytes, faces.one)).toBeGreaterThan(1);
  await expect(page.getByTestId('export-progress')).toContainText('4 file(s) saved to your browser downloads');
  await shot(page, 'export-done');

  // One photo, lossless PNG then WebP.
  await pickerPhoto(page, greyId!).click();
  await pickAges(page, [70]);
  await page.getByTestId('format-png').click();
  const [png] = await exportAndDownload(page, host, 1);
  expect(png!.name).toBe('one-face-age70.png');
  await expectAgedPhoto(png!, readFileSync(files.one), faces.one, 'png');
  await page.getByTestId('format-webp').click();
  const [webp] = await exportAndDownload(page, host, 1);
  expect(webp!.name).toBe('one-face-age70.webp');
  await expectAgedPhoto(webp!, readFileSync(files.one), faces.one, 'webp');

  // Contact sheet of both faces at three ages: one image, a row per face, a column per age.
  await pickerPhoto(page, greyId!).click();
  await pickAges(page, [20, 50, 80]);
  await page.getByTestId('layout-contact-sheet').click();
  await page.getByTestId('format-jpeg').click();
  await expect(page.getByTestId('export-summary')).toHaveText('1 image from 2 photos at 3 ages');
  const [sheet] = await exportAndDownload(page, host, 1);
  const sheetMeta = await sharp(sheet!.bytes).metadata();
  expect(sheet!.name).toBe('2-photos-contact-sheet-ages-20-50-80.jpg');
  // Square cells under a label row, sized to the largest face as it was aged (at its size in the
  // photo, for a model with the texture stage): at least 128 px, at most 256.
  const side = sheetMeta.width! / 3;
  expect(Number.isInteger(side)).toBe(true);
  expect(side).toBeGreaterThanOrEqual(128);
  expect(side).toBeLessThanOrEqual(256);
  expect(sheetMeta.height! - 2 * side).toBeGreaterThan(10);
  expect(sheetMeta.height! - 2 * side).toBeLessThan(64);
  const header = sheetMeta.height! - 2 * side;
  const cell = (row: number, col: number) => ({ x: col * side, y: header + row * side, width: side, height: side });
  // Different ages in a row differ; the two rows are two different people.
  expect(await cellDifference(sheet!.bytes, cell(0, 0), cell(0, 2))).toBeGreaterThan(1);
  expect(await cellDifference(sheet!.bytes, cell(0, 0), cell(1, 0))).toBeGreaterThan(5);
  // Each cell is a picture, not stripe noise: its rows follow each other, and the aged faces are
  // lighter than the black letterbox around them.
  for (const [r, c] of [[0, 0], [0, 2], [1, 1]] as const) {
    expect(await rowCorrelation(sheet!.bytes, cell(r, c)), `cell ${r},${c}`).toBeGreaterThan(0.8);
  }

  // Animated timeline (WebP only): one animation per face, a frame per age.
  await page.getByTestId('layout-animated-timeline').click();
  await expect(page.getByTestId('format-jpeg')).toBeDisabled();
  const timelines = await exportAndDownload(page, host, 2);
  expect(timelines.map((t) => t.name)).toEqual(['grayscale-face0-timeline.webp', 'one-face-face0-timeline.webp']);
  for (const t of timelines) {
    const m = await sharp(t.bytes, { animated: true }).metadata();
    expect(m.format).toBe('webp');
    // Each face's own cell: 128 to 256 px (see the contact sheet).
    expect(m.width).toBeGreaterThanOrEqual(128);
    expect(m.width).toBeLessThanOrEqual(256);
    // Identical consecutive frames may be merged by the encoder; the running time is kept.
    expect(m.pages).toBeGreaterThanOrEqual(2);
    expect(m.pages).toBeLessThanOrEqual(3);
    expect((m.delay ?? []).reduce((a, b) => a + b, 0)).toBe(3 * 400);
  }
  await shot(page, 'export-timeline');

  // Cancel: 2 photos x 10 ages, stopped after the first file; nothing is downloaded.
  await page.getByTestId('layout-files').click();
  await pickAges(page, [5, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  let downloaded = 0;
  page.on('download', () => downloaded++);
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-progress')).toContainText(/Writing [1-9]\d* of 20/);
  await page.getByTestId('export-cancel').click();
  await expect(page.getByTestId('export-progress')).toHaveAttribute('data-phase', 'cancelled');
  const list = await page.evaluate(() => window.studio!.export.list());
  expect(list.ok && list.value.exports.at(-1)).toMatchObject({ state: 'cancelled', outputs: [] });
  expect(downloaded).toBe(0);
});

async function cellDifference(sheet: Buffer, a: Crop, b: Crop): Promise<number> {
  const cut = (r: Crop) => sharp(sheet).extract({ left: r.x, top: r.y, width: r.width, height: r.height }).raw().toBuffer();
  const [pa, pb] = await Promise.all([cut(a), cut(b)]);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(pa[i]! - pb[i]!);
  return sum / pa.length;
}

test('location metadata: absent from exports by default, copied only when asked', async ({ page, host }) => {
  // A portrait with GPS EXIF, made here from a committed fixture (no location data is committed).
  const tagged = join(host.dir, 'holiday.jpg');
  const gps = { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2964/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 4020/100' };
  await sharp(fixturePhoto('one-face.jpg')).jpeg({ quality: 92 }).withExif({ IFD0: { Make: 'LeakyCam' }, IFD3: gps }).toFile(tagged);
  expect(readGpsTags((await sharp(tagged).metadata()).exif)).toMatchObject(gps);

  await openStudio(page, host, 'library');
  const [id] = await seedPhotos(page, [tagged]);
  await page.getByTestId('nav-export').click();
  await pickerPhoto(page, id!).click();
  await pickAges(page, [60]);
  const keep = page.getByTestId('keep-location');
  await expect(keep).not.toBeChecked();
  const [plain] = await exportAndDownload(page, host, 1);
  expect((await sharp(plain!.bytes).metadata()).exif).toBeUndefined();

  await keep.check();
  await shot(page, 'export-keep-location');
  const [kept] = await exportAndDownload(page, host, 1);
  const meta = await sharp(kept!.bytes).metadata();
  expect(readGpsTags(meta.exif)).toMatchObject(gps);
  // Only the location: the camera make stays behind.
  expect(meta.exif!.includes('LeakyCam')).toBe(false);
  expect([meta.width, meta.height]).toEqual([640, 800]);
  // A contact sheet never carries metadata, so the option is off there.
  await page.getByTestId('layout-contact-sheet').click();
  await expect(keep).toBeDisabled();
});

test('the ages counted are the chips lit: the slider age has its own chip', async ({ page, host }) => {
  await openStudio(page, host, 'library');
  await seedPhotos(page, [fixturePhoto('one-face.jpg')]);
  await page.getByTestId('nav-age').click();
  await expect(page.getByTestId('target-age')).toHaveText('60');
  await page.getByTestId('age-stage').click();
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('target-age')).toHaveText('72');
  await page.getByTestId('nav-export').click();
  const lit = page.getByTestId('export-ages').locator('.MuiChip-filled');
  await expect(page.getByTestId('export-age-72')).toContainText('72 · from the slider');
  await expect(lit).toHaveCount(1);
  for (const a of [30, 50, 70, 90]) await page.getByTestId(`export-age-${a}`).click();
  await expect(lit).toHaveCount(5);
  await expect(page.getByTestId('export-summary')).toHaveText('5 images from 1 photo at 5 ages');
  await page.getByTestId('export-age-72').click();
  await expect(lit).toHaveCount(4);
  await expect(page.getByTestId('export-summary')).toHaveText('4 images from 1 photo at 4 ages');
  await shot(page, 'export-ages');
});
