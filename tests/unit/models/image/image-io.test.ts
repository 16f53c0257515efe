import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { decodeImage, encodeImage, resizeImage } from '../../../../models/image/image-io';
import { cropImage, type DecodedImage } from '../../../../models/image/decoded-image';
import { PhotoError, type PhotoErrorCode } from '../../../../models/image/photo-error';

const photo = (f: string) => path.join(__dirname, '..', '..', '..', 'fixtures', 'photos', f);

async function expectCode(p: Promise<unknown>, code: PhotoErrorCode): Promise<PhotoError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(PhotoError);
  expect((e as PhotoError).code).toBe(code);
  expect((e as PhotoError).message.length).toBeGreaterThan(20);
  return e as PhotoError;
}

function meanAbsDiff(a: DecodedImage, b: DecodedImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i] - b.data[i]);
  return s / a.data.length;
}

describe('decodeImage', () => {
  it('decodes a JPEG from a path and from bytes into 8-bit RGB', async () => {
    const a = await decodeImage(photo('one-face.jpg'));
    const b = await decodeImage(readFileSync(photo('one-face.jpg')));
    expect(a.width).toBe(640);
    expect(a.data.length).toBe(a.width * a.height * 3);
    expect(a.sourceFormat).toBe('jpeg');
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  });

  it('applies the EXIF orientation: the rotated fixture decodes upright, like the original', async () => {
    const upright = await decodeImage(photo('one-face.jpg'));
    const rotated = await decodeImage(photo('rotated-exif.jpg'));
    expect(rotated.sourceOrientation).toBe(6);
    expect([rotated.width, rotated.height]).toEqual([upright.width, upright.height]);
    expect(meanAbsDiff(rotated, upright)).toBeLessThan(4); // only JPEG re-encoding noise
    // Without EXIF handling the pixels would be sideways.
    const raw = await sharp(photo('rotated-exif.jpg')).metadata();
    expect(raw.width).toBe(upright.height);
  });

  it('turns grayscale and CMYK JPEGs into RGB', async () => {
    const g = await decodeImage(photo('grayscale.jpg'));
    expect(g.data.length).toBe(g.width * g.height * 3);
    for (let i = 0; i < g.data.length; i += 3 * 97) {
      expect(g.data[i]).toBe(g.data[i + 1]);
      expect(g.data[i + 1]).toBe(g.data[i + 2]);
    }
    const c = await decodeImage(photo('cmyk.jpg'));
    expect(c.data.length).toBe(c.width * c.height * 3);
    // A red-haired portrait: a CMYK file read as RGB (inverted) would be blue-green on average.
    let r = 0;
    let b = 0;
    for (let i = 0; i < c.data.length; i += 3) {
      r += c.data[i];
      b += c.data[i + 2];
    }
    expect(r).toBeGreaterThan(b * 1.15);
  });

  it('flattens transparency on white', async () => {
    const img = await decodeImage(photo('rgba.png'));
    expect(img.data.length).toBe(img.width * img.height * 3);
    expect(Array.from(img.data.subarray(0, 3))).toEqual([255, 255, 255]);
    const c = ((img.height >> 1) * img.width + (img.width >> 1)) * 3;
    expect(img.data[c] + img.data[c + 1] + img.data[c + 2]).toBeLessThan(3 * 250);
  });

  it('refuses animated GIFs, PDFs renamed .jpg, text and huge images with clear codes', async () => {
    await expectCode(decodeImage(photo('animated.gif')), 'animated');
    const pdf = await expectCode(decodeImage(photo('fake.jpg')), 'unsupported-format');
    expect(pdf.message).toMatch(/PDF/);
    await expectCode(decodeImage(Buffer.from('just some notes, not a picture\n')), 'not-an-image');
    await expectCode(decodeImage(readFileSync(photo('one-face.jpg')).subarray(0, 200)), 'not-an-image');
    await expectCode(decodeImage(photo('one-face.jpg'), { maxPixels: 100_000 }), 'too-large');
    await expectCode(decodeImage(photo('does-not-exist.jpg')), 'read-failed');
  });
});

describe('encodeImage and resizeImage', () => {
  it('round-trips PNG exactly and JPEG / WebP closely', async () => {
    const img = cropImage(await decodeImage(photo('one-face.jpg')), { x: 200, y: 100, width: 160, height: 120 });
    const png = await decodeImage(await encodeImage(img, { format: 'png' }));
    expect(Buffer.from(png.data).equals(Buffer.from(img.data))).toBe(true);
    const jpg = await encodeImage(img, { format: 'jpeg', quality: 95 });
    expect((await sharp(jpg).metadata()).format).toBe('jpeg');
    expect(meanAbsDiff(await decodeImage(jpg), img)).toBeLessThan(3);
    const webp = await encodeImage(img, { format: 'webp', quality: 90 });
    expect((await sharp(webp).metadata()).format).toBe('webp');
    expect(meanAbsDiff(await decodeImage(webp), img)).toBeLessThan(4);
  });

  it('resizes to exact dimensions', async () => {
    const img = await decodeImage(photo('one-face.jpg'));
    const small = await resizeImage(img, 100, 77);
    expect([small.width, small.height, small.data.length]).toEqual([100, 77, 100 * 77 * 3]);
  });
});
