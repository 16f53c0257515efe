import sharp, { type Metadata } from 'sharp';
import { LibraryError } from './errors';

// Cheap validation of a photo BEFORE anything is written: the header (sharp metadata, no pixel
// decode), size limits, and a look at the file's end for truncation. Only when the end looks
// wrong do we pay for a full decode, so valid files with trailing data are not refused.

export const MAX_PIXELS = 100_000_000;
export const MAX_SIDE = 20_000;
export const THUMB_SIZE = 256;

const SUPPORTED = new Set(['jpeg', 'png', 'webp', 'tiff', 'gif', 'avif', 'heif']);

export interface ImageHeader {
  format: string;
  /** Oriented dimensions (EXIF orientation applied). */
  width: number;
  height: number;
  orientation: number;
}

const JPEG_EOI = Buffer.from([0xff, 0xd9]);
const JPEG_SOS = Buffer.from([0xff, 0xda]);

/** True when the container's end marker is where it should be (no decode needed). */
function endLooksComplete(format: string, bytes: Buffer): boolean {
  switch (format) {
    case 'jpeg': {
      // Entropy-coded data never contains FF D9 (FF is byte-stuffed), so the end-of-image marker
      // must come after the last start-of-scan marker.
      return bytes.lastIndexOf(JPEG_EOI) > bytes.lastIndexOf(JPEG_SOS);
    }
    case 'png':
      return bytes.length >= 12 && bytes.toString('latin1', bytes.length - 8, bytes.length - 4) === 'IEND';
    case 'webp':
      return bytes.length >= 12 && bytes.readUInt32LE(4) + 8 <= bytes.length;
    default:
      return false;
  }
}

/** HEIF brands of HEVC-coded photos (iPhone HEIC), which this build of libvips cannot decode. */
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);

function heicMessage(name: string): string {
  return `"${name}" is a HEIC photo (HEVC-coded, as iPhones save them), which the studio cannot decode; export it as JPEG first.`;
}

/** Why a file that sharp cannot read is no photo, as a sentence naming it (null: no idea). */
export function describeNonImage(bytes: Buffer, name: string): string | null {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 512));
  if (head.slice(4, 8) === 'ftyp' && HEIC_BRANDS.has(head.slice(8, 12))) return heicMessage(name);
  const what = head.startsWith('%PDF')
    ? 'a PDF document'
    : head.startsWith('PK\u0003\u0004')
      ? 'a ZIP archive (or an Office document)'
      : /^\s*(<\?xml[^>]*>\s*)?<svg/i.test(head)
        ? 'an SVG drawing'
        : /^\s*<(!doctype html|html|head|body|script)/i.test(head)
          ? 'a web page (HTML)'
          : isText(bytes)
            ? 'a text file'
            : null;
  return what && `"${name}" is ${what}, not a photo the studio can read (JPEG, PNG, WebP, TIFF, GIF, AVIF).`;
}

/** Valid UTF-8 without control characters other than tab and line breaks. */
function isText(bytes: Buffer): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
  if (text.includes('\uFFFD')) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

async function decodesFully(bytes: Buffer): Promise<boolean> {
  try {
    await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_PIXELS })
      .resize(32, 32, { fit: 'inside' })
      .raw()
      .toBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Validate a photo's bytes; throws LibraryError('not-an-image' | 'too-large' | 'truncated' | ...). */
export async function checkImage(bytes: Buffer, name: string): Promise<ImageHeader> {
  if (bytes.length < 16) {
    throw new LibraryError('not-an-image', `"${name}" is not an image (only ${bytes.length} bytes).`);
  }
  let meta: Metadata;
  try {
    // Header only, no decode: without the pixel limit here a declared 361 MP bomb reports its size
    // ('too-large' below) instead of failing as an unreadable file.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    const why = describeNonImage(bytes, name);
    // A HEIC file is a photo in a format this build cannot read; a PDF or text file is no image.
    if (why) throw new LibraryError(why.includes('HEIC') ? 'unsupported-format' : 'not-an-image', why);
    throw new LibraryError(
      'not-an-image',
      `"${name}" is not an image the studio can read (JPEG, PNG, WebP, TIFF, GIF, AVIF), or its header is damaged.`,
    );
  }
  const format = meta.format ?? 'unknown';
  if (!SUPPORTED.has(format)) {
    throw new LibraryError('unsupported-format', `"${name}" is a ${format} file; the studio reads JPEG, PNG, WebP, TIFF, GIF and AVIF.`);
  }
  // iPhone HEIC: libheif reads the container, but this build of libvips has no HEVC decoder.
  if (format === 'heif' && meta.compression === 'hevc' && !(await decodesFully(bytes))) {
    throw new LibraryError('unsupported-format', heicMessage(name));
  }
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  if (width <= 0 || height <= 0) {
    throw new LibraryError('not-an-image', `"${name}" has no image dimensions in its header.`);
  }
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    const mp = ((width * height) / 1e6).toFixed(1);
    throw new LibraryError(
      'too-large',
      `"${name}" is ${width} x ${height} px (${mp} megapixels); the limit is ${MAX_SIDE.toLocaleString('en-US')} px on a side and ${MAX_PIXELS / 1e6} megapixels.`,
    );
  }
  if (!endLooksComplete(format, bytes) && !(await decodesFully(bytes))) {
    throw new LibraryError('truncated', `"${name}" is truncated or damaged: its image data ends early.`);
  }
  return { format, width, height, orientation: meta.orientation ?? 1 };
}

/**
 * A JPEG thumbnail, EXIF orientation applied, at most THUMB_SIZE px on its longer side, always
 * 8-bit sRGB without a profile: CMYK (with or without a profile), wide-gamut, 16-bit and grey
 * sources are converted, so every browser shows the same colours (a CMYK JPEG left as CMYK is
 * drawn inverted or black by some decoders).
 */
export async function makeThumbnail(bytes: Buffer): Promise<Buffer> {
  return sharp(bytes, { limitInputPixels: MAX_PIXELS })
    .rotate()
    .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** The stand-in analyzer used by the benchmark and tests: real sharp metadata, no detection. */
export async function headerOnlyAnalyzer(bytes: Buffer): Promise<{
  width: number;
  height: number;
  orientation: number;
  format: string;
  faces: [];
}> {
  const meta = await sharp(bytes).metadata();
  return {
    width: meta.autoOrient?.width ?? meta.width ?? 0,
    height: meta.autoOrient?.height ?? meta.height ?? 0,
    orientation: meta.orientation ?? 1,
    format: meta.format ?? 'unknown',
    faces: [],
  };
}
