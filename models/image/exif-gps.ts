/**
 * Location (GPS) metadata of a photo, read from its EXIF block and turned into the form sharp's
 * `withExif({ IFD3: ... })` writes back. Exports drop every piece of metadata by default; when a
 * user asks to keep the location, only the GPS IFD is carried over (never the orientation: the
 * exported pixels are already upright, nor camera serials and the like).
 *
 * The EXIF block sharp hands out is a TIFF structure ("Exif\0\0" then "II*\0" or "MM\0*"): IFD0
 * holds tag 0x8825 pointing at the GPS IFD; each GPS entry is (tag u16, type u16, count u32,
 * value-or-offset u32), offsets relative to the TIFF header.
 */

/** GPS tag numbers (EXIF 2.32, GPS IFD) to the names libvips uses for IFD3. */
const GPS_TAG_NAMES: Record<number, string> = {
  0: 'GPSVersionID',
  1: 'GPSLatitudeRef',
  2: 'GPSLatitude',
  3: 'GPSLongitudeRef',
  4: 'GPSLongitude',
  5: 'GPSAltitudeRef',
  6: 'GPSAltitude',
  7: 'GPSTimeStamp',
  8: 'GPSSatellites',
  9: 'GPSStatus',
  10: 'GPSMeasureMode',
  11: 'GPSDOP',
  12: 'GPSSpeedRef',
  13: 'GPSSpeed',
  14: 'GPSTrackRef',
  15: 'GPSTrack',
  16: 'GPSImgDirectionRef',
  17: 'GPSImgDirection',
  18: 'GPSMapDatum',
  19: 'GPSDestLatitudeRef',
  20: 'GPSDestLatitude',
  21: 'GPSDestLongitudeRef',
  22: 'GPSDestLongitude',
  23: 'GPSDestBearingRef',
  24: 'GPSDestBearing',
  25: 'GPSDestDistanceRef',
  26: 'GPSDestDistance',
  29: 'GPSDateStamp',
  30: 'GPSDifferential',
  31: 'GPSHPositioningError',
};

const GPS_IFD_POINTER = 0x8825;
/** Bytes per component of each TIFF field type we read. */
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
const MAX_COMPONENTS = 64;

/** GPS tags as libvips strings, e.g. { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 1234/100' }. */
export type GpsTags = Record<string, string>;

class TiffReader {
  constructor(
    private readonly b: Buffer,
    private readonly base: number,
    private readonly le: boolean,
  ) {}
  u8(at: number): number {
    return this.b[this.base + at] ?? 0;
  }
  u16(at: number): number {
    return this.le ? this.b.readUInt16LE(this.base + at) : this.b.readUInt16BE(this.base + at);
  }
  u32(at: number): number {
    return this.le ? this.b.readUInt32LE(this.base + at) : this.b.readUInt32BE(this.base + at);
  }
  i32(at: number): number {
    return this.le ? this.b.readInt32LE(this.base + at) : this.b.readInt32BE(this.base + at);
  }
  fits(at: number, length: number): boolean {
    return at >= 0 && this.base + at + length <= this.b.length;
  }
  ascii(at: number, count: number): string {
    return this.b.subarray(this.base + at, this.base + at + count).toString('latin1').replace(/\0.*$/s, '');
  }
}

/** The TIFF reader and the offset of IFD0, or null when the block is not EXIF/TIFF. */
function openTiff(exif: Buffer): { r: TiffReader; ifd0: number } | null {
  const base = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0;
  if (exif.length < base + 8) return null;
  const order = exif.subarray(base, base + 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return null;
  const r = new TiffReader(exif, base, order === 'II');
  if (r.u16(2) !== 42) return null;
  return { r, ifd0: r.u32(4) };
}

function entries(r: TiffReader, ifd: number): { tag: number; type: number; count: number; at: number }[] {
  if (!r.fits(ifd, 2)) return [];
  const n = r.u16(ifd);
  if (!r.fits(ifd + 2, n * 12)) return [];
  return Array.from({ length: n }, (_, i) => {
    const e = ifd + 2 + i * 12;
    return { tag: r.u16(e), type: r.u16(e + 2), count: r.u32(e + 4), at: e + 8 };
  });
}

function valueString(r: TiffReader, type: number, count: number, entryAt: number): string | null {
  const size = TYPE_SIZE[type];
  if (!size || count === 0 || count > (type === 2 ? 1024 : MAX_COMPONENTS)) return null;
  // Values of up to 4 bytes sit in the entry itself; longer ones at an offset.
  const at = size * count <= 4 ? entryAt : r.u32(entryAt);
  if (!r.fits(at, size * count)) return null;
  if (type === 2) return r.ascii(at, count);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = at + i * size;
    if (type === 1 || type === 7) parts.push(String(r.u8(p)));
    else if (type === 3) parts.push(String(r.u16(p)));
    else if (type === 4) parts.push(String(r.u32(p)));
    else if (type === 9) parts.push(String(r.i32(p)));
    else if (type === 5) parts.push(`${r.u32(p)}/${r.u32(p + 4)}`);
    else if (type === 10) parts.push(`${r.i32(p)}/${r.i32(p + 4)}`);
  }
  return parts.join(' ');
}

/** The GPS tags of an EXIF block (as sharp's metadata().exif gives it), or null when it has none. */
export function readGpsTags(exif: Buffer | undefined): GpsTags | null {
  if (!exif) return null;
  try {
    const t = openTiff(exif);
    if (!t) return null;
    const pointer = entries(t.r, t.ifd0).find((e) => e.tag === GPS_IFD_POINTER);
    if (!pointer) return null;
    const gps: GpsTags = {};
    for (const e of entries(t.r, t.r.u32(pointer.at))) {
      const name = GPS_TAG_NAMES[e.tag];
      if (!name) continue;
      const v = valueString(t.r, e.type, e.count, e.at);
      if (v !== null && v !== '') gps[name] = v;
    }
    return Object.keys(gps).length > 0 ? gps : null;
  } catch {
    // A damaged EXIF block means no location to keep, never a failed export.
    return null;
  }
}

/** Latitude and longitude in degrees from GPS tags (for display and tests), or null. */
export function gpsPosition(gps: GpsTags | null): { latitude: number; longitude: number } | null {
  if (!gps?.GPSLatitude || !gps.GPSLongitude) return null;
  const deg = (dms: string) =>
    dms
      .split(' ')
      .map((q) => {
        const [n, d] = q.split('/').map(Number);
        return d ? n! / d : Number.NaN;
      })
      .reduce((sum, v, i) => sum + v / 60 ** i, 0);
  const lat = deg(gps.GPSLatitude) * (gps.GPSLatitudeRef === 'S' ? -1 : 1);
  const lon = deg(gps.GPSLongitude) * (gps.GPSLongitudeRef === 'W' ? -1 : 1);
  return Number.isFinite(lat) && Number.isFinite(lon) ? { latitude: lat, longitude: lon } : null;
}
