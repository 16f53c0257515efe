/**
 * makeThumbnail: every source colour model becomes an 8-bit sRGB JPEG without a profile, with the
 * source's colours (not black, not inverted), oriented, within THUMB_SIZE. Sources: the committed
 * CMYK fixture (no profile), CMYK / Display P3 / 16-bit / grey+alpha files made here with sharp.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { THUMB_SIZE, makeThumbnail } from '../../../../main/library/image-check';
import { decodeImage } from '../../../../models/image/image-io';

const SKIN = { r: 200, g: 150, b: 120 };
const PHOTOS = join(__dirname, '..', '..', '..', 'fixtures', 'photos');

async function describeThumb(bytes: Buffer) {
  const thumb = await makeThumbnail(bytes);
  const meta = await sharp(thumb).metadata();
  const { channels } = await sharp(thumb).stats();
  return { meta, mean: channels.map((c) => c.mean) };
}

const solid = () => sharp({ create: { width: 400, height: 300, channels: 3, background: SKIN } });

describe('makeThumbnail colour', () => {
  it('the CMYK fixture becomes sRGB with the colours the pipeline decodes', async () => {
    const bytes = readFileSync(join(PHOTOS, 'cmyk.jpg'));
    expect((await sharp(bytes).metadata()).space).toBe('cmyk');
    const { meta, mean } = await describeThumb(bytes);
    expect(meta).toMatchObject({ format: 'jpeg', space: 'srgb', channels: 3 });
    expect(meta.icc).toBeUndefined();
    // Same colours as the face pipeline's own sRGB decode of the full photo.
    const full = await decodeImage(bytes);
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let i = c; i < full.data.length; i += 3) sum += full.data[i]!;
      expect(Math.abs(mean[c]! - sum / (full.data.length / 3))).toBeLessThan(4);
    }
    expect(Math.max(...mean)).toBeGreaterThan(60);
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(THUMB_SIZE);
  });

  const cases: [string, () => Promise<Buffer>][] = [
    ['CMYK JPEG', () => solid().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer()],
    ['Display P3 tagged JPEG', () => solid().withIccProfile('p3').jpeg({ quality: 95 }).toBuffer()],
    ['16-bit PNG', () => solid().toColourspace('rgb16').png().toBuffer()],
  ];
  for (const [name, make] of cases) {
    it(`${name} keeps its colour in sRGB`, async () => {
      const { meta, mean } = await describeThumb(await make());
      expect(meta).toMatchObject({ format: 'jpeg', space: 'srgb', channels: 3 });
      expect(meta.icc).toBeUndefined();
      expect(Math.abs(mean[0]! - SKIN.r)).toBeLessThan(6);
      expect(Math.abs(mean[1]! - SKIN.g)).toBeLessThan(6);
      expect(Math.abs(mean[2]! - SKIN.b)).toBeLessThan(6);
    });
  }

  it('grey with alpha becomes three equal sRGB channels flattened on white', async () => {
    const grey = await sharp({ create: { width: 300, height: 300, channels: 4, background: { r: 128, g: 128, b: 128, alpha: 0.5 } } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const { meta, mean } = await describeThumb(grey);
    expect(meta).toMatchObject({ space: 'srgb', channels: 3 });
    for (const m of mean) expect(m).toBeGreaterThan(180);
    expect(Math.abs(mean[0]! - mean[2]!)).toBeLessThan(2);
  });

  it('applies EXIF orientation', async () => {
    const { meta } = await describeThumb(readFileSync(join(PHOTOS, 'rotated-exif.jpg')));
    const src = await sharp(readFileSync(join(PHOTOS, 'rotated-exif.jpg'))).metadata();
    const upright = (src.orientation ?? 1) >= 5 ? [src.height!, src.width!] : [src.width!, src.height!];
    expect(Math.sign(meta.width! - meta.height!)).toBe(Math.sign(upright[0]! - upright[1]!));
    expect(meta.orientation).toBeUndefined();
  });
});
