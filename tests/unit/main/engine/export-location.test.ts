/**
 * Location metadata in exports: the GPS IFD is read from a photo's EXIF (exif-gps.ts), exports
 * carry no metadata by default, and exportPhotoOp copies the GPS tags (and only them) when
 * keepLocation is set. The GPS-tagged photo is made at test time from a committed fixture.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPhotoOp } from '../../../../main/engine/ops/export';
import { gpsPosition, readGpsTags } from '../../../../models/image/exif-gps';

const GPS = {
  GPSLatitudeRef: 'N',
  GPSLatitude: '48/1 51/1 2964/100',
  GPSLongitudeRef: 'E',
  GPSLongitude: '2/1 17/1 4020/100',
  GPSAltitudeRef: '0',
  GPSAltitude: '35/1',
  GPSDateStamp: '2024:05:01',
};
const PROTOTYPE = join(__dirname, '..', '..', '..', '..', 'assets', 'models', 'prototype');
let dir = '';
let tagged = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'export-location-'));
  tagged = join(dir, 'gps.jpg');
  // A camera make too: it must not reach an export even when the location does.
  const bytes = await sharp(join(__dirname, '..', '..', '..', 'fixtures', 'photos', 'one-face.jpg'))
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'LeakyCam', Orientation: '1' }, IFD3: GPS })
    .toBuffer();
  writeFileSync(tagged, bytes);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GPS EXIF reading', () => {
  it('reads the GPS IFD of a real JPEG, little- and big-endian', async () => {
    const gps = readGpsTags((await sharp(tagged).metadata()).exif);
    expect(gps).toMatchObject(GPS);
    const pos = gpsPosition(gps)!;
    expect(pos.latitude).toBeCloseTo(48 + 51 / 60 + 29.64 / 3600, 6);
    expect(pos.longitude).toBeCloseTo(2 + 17 / 60 + 40.2 / 3600, 6);
    // Motorola byte order (written by hand: sharp writes Intel order) reads too.
    const big = bigEndianGps();
    expect(gpsPosition(readGpsTags(big))!.latitude).toBeCloseTo(48.5, 6);
  });

  it('no EXIF, EXIF without GPS, and damaged blocks give null, never a throw', async () => {
    expect(readGpsTags(undefined)).toBeNull();
    const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#777' } }).jpeg().withExif({ IFD0: { Make: 'X' } }).toBuffer();
    expect(readGpsTags((await sharp(plain).metadata()).exif)).toBeNull();
    const exif = (await sharp(tagged).metadata()).exif!;
    expect(readGpsTags(exif.subarray(0, 40))).toBeNull();
    expect(readGpsTags(Buffer.from('Exif\0\0garbage-not-tiff'))).toBeNull();
  });
});

describe('exportPhotoOp location', () => {
  const signal = new AbortController().signal;
  for (const format of ['jpeg', 'png', 'webp'] as const) {
    it(`${format}: no metadata by default, only GPS when asked`, async () => {
      const base = { path: tagged, faces: [], age: 60, modelDir: PROTOTYPE, format, quality: 90 };
      const plain = await exportPhotoOp(base, signal);
      const plainMeta = await sharp(plain.bytes).metadata();
      expect(plainMeta.format).toBe(format);
      expect(readGpsTags(plainMeta.exif)).toBeNull();
      expect(plainMeta.exif).toBeUndefined();

      const kept = await exportPhotoOp({ ...base, keepLocation: true }, signal);
      const meta = await sharp(kept.bytes).metadata();
      expect(readGpsTags(meta.exif)).toMatchObject(GPS);
      expect(meta.exif!.includes('LeakyCam')).toBe(false);
      expect([meta.width, meta.height]).toEqual([640, 800]);
    });
  }

  it('keepLocation on a photo without GPS writes no metadata', async () => {
    const out = await exportPhotoOp(
      { path: join(__dirname, '..', '..', '..', 'fixtures', 'photos', 'one-face.jpg'), faces: [], age: 30, modelDir: PROTOTYPE, format: 'jpeg', quality: 90, keepLocation: true },
      signal,
    );
    expect((await sharp(out.bytes).metadata()).exif).toBeUndefined();
  });
});

/** A minimal big-endian TIFF with IFD0 -> GPS IFD holding latitude 48 30 0 N and longitude 1 0 0 E. */
function bigEndianGps(): Buffer {
  const b = Buffer.alloc(200);
  b.write('Exif\0\0MM', 0, 'latin1');
  const t = 6;
  b.writeUInt16BE(42, t + 2);
  b.writeUInt32BE(8, t + 4);
  // IFD0: one entry, GPS pointer -> 26.
  b.writeUInt16BE(1, t + 8);
  b.writeUInt16BE(0x8825, t + 10);
  b.writeUInt16BE(4, t + 12);
  b.writeUInt32BE(1, t + 14);
  b.writeUInt32BE(26, t + 18);
  b.writeUInt32BE(0, t + 22);
  // GPS IFD at 26: four entries (2 + 4 * 12 + 4 = 54 bytes), values from 80.
  const entry = (i: number, tag: number, type: number, count: number, value: number, inline?: string) => {
    const e = t + 26 + 2 + i * 12;
    b.writeUInt16BE(tag, e);
    b.writeUInt16BE(type, e + 2);
    b.writeUInt32BE(count, e + 4);
    if (inline) b.write(inline, e + 8, 'latin1');
    else b.writeUInt32BE(value, e + 8);
  };
  b.writeUInt16BE(4, t + 26);
  entry(0, 1, 2, 2, 0, 'N\0');
  entry(1, 2, 5, 3, 80);
  entry(2, 3, 2, 2, 0, 'E\0');
  entry(3, 4, 5, 3, 104);
  const rationals = (at: number, xs: [number, number][]) => xs.forEach(([n, d], i) => (b.writeUInt32BE(n, t + at + i * 8), b.writeUInt32BE(d, t + at + i * 8 + 4)));
  rationals(80, [[48, 1], [30, 1], [0, 1]]);
  rationals(104, [[1, 1], [0, 1], [0, 1]]);
  return b;
}
