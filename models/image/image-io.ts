/**
 * Image IO for the face pipeline, through sharp: any photo a user drops in becomes a DecodedImage
 * (8-bit sRGB RGB, EXIF orientation applied, colour profile converted, alpha flattened on white),
 * and a DecodedImage becomes JPEG / PNG / WebP bytes. Every failure is a PhotoError with a stable code.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { createImage, type DecodedImage } from './decoded-image';
import type { GpsTags } from './exif-gps';
import { PhotoError } from './photo-error';

/** 100 MP: a 40 MP camera photo passes with room to spare; a decompression bomb does not. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif', 'avif']);

export interface DecodeOptions {
  /** Largest accepted width * height (before any resizing). Default DEFAULT_MAX_PIXELS. */
  maxPixels?: number;
}

export interface DecodedPhoto extends DecodedImage {
  /** sharp's name of the source container: 'jpeg', 'png', 'webp', ... */
  sourceFormat: string;
  /** EXIF orientation found in the file (1 when absent); the pixels are already upright. */
  sourceOrientation: number;
}

/** Names what the bytes look like when sharp cannot read them, for a clearer message. */
function sniffNonImage(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1');
  if (head.startsWith('%PDF')) return 'a PDF document';
  if (head.startsWith('PK\u0003\u0004')) return 'a ZIP archive (or an Office document)';
  if (/^\s*(<\?xml[^>]*>\s*)?<svg/i.test(head)) return 'an SVG drawing';
  if (/^\s*<(!doctype|html)/i.test(head)) return 'a web page';
  return null;
}

async function readInput(input: Uint8Array | string): Promise<Uint8Array> {
  if (typeof input !== 'string') return input;
  try {
    return await readFile(input);
  } catch (e) {
    throw new PhotoError('read-failed', `Could not read the file ${input}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Decodes a photo file (path) or its bytes. Throws PhotoError:
 * 'not-an-image', 'unsupported-format' (PDF, SVG, ...), 'animated', 'too-large', 'read-failed'.
 */
export async function decodeImage(input: Uint8Array | string, opts: DecodeOptions = {}): Promise<DecodedPhoto> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const bytes = await readInput(input);
  const what = sniffNonImage(bytes);
  if (what) {
    throw new PhotoError('unsupported-format', `This file is ${what}, not a photo. Please use a JPEG, PNG or WebP image.`);
  }
  let meta: Metadata;
  try {
    // limitInputPixels false here: we want the size to report a clear 'too-large', not a libvips error.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new PhotoError('not-an-image', 'This file is not an image that can be opened (unknown or damaged format).', { cause: e });
  }
  const format = meta.format ?? 'unknown';
  if (!ACCEPTED_FORMATS.has(format)) {
    throw new PhotoError('unsupported-format', `${format.toUpperCase()} files are not supported. Please use a JPEG, PNG or WebP image.`);
  }
  if ((meta.pages ?? 1) > 1) {
    throw new PhotoError('animated', `This image is animated (${meta.pages} frames). Please use a still photo.`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new PhotoError('not-an-image', 'This image has no pixels.');
  if (width * height > maxPixels) {
    const mp = (width * height / 1e6).toFixed(1);
    throw new PhotoError('too-large', `This photo has ${mp} megapixels; the limit is ${(maxPixels / 1e6).toFixed(0)} megapixels.`);
  }
  try {
    // failOn 'error': decode slightly damaged camera JPEGs rather than refusing them.
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .autoOrient()
      .flatten({ background: '#ffffff' }) // no-op without alpha
      .toColourspace('srgb') // grey, CMYK (via its profile), 16-bit and ICC-tagged inputs all become 8-bit sRGB
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoder produced ${info.channels} channels`);
    const img = createImage(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.length));
    return { ...img, sourceFormat: format, sourceOrientation: meta.orientation ?? 1 };
  } catch (e) {
    throw new PhotoError('not-an-image', `This image could not be decoded: ${(e as Error).message}`, { cause: e });
  }
}

export type EncodeFormat = 'jpeg' | 'png' | 'webp';

export interface EncodeOptions {
  format: EncodeFormat;
  /** 1-100 for JPEG / WebP (default 92); ignored for PNG. */
  quality?: number;
  /** Location tags to write (exif-gps.ts); nothing else of the source's metadata is ever written. */
  gps?: GpsTags | null;
}

/**
 * Encodes to JPEG / PNG / WebP bytes (sRGB, no metadata unless `gps` is given: a user's location
 * must not leak into exports unless they ask for it).
 */
export async function encodeImage(img: DecodedImage, opts: EncodeOptions): Promise<Buffer> {
  const quality = Math.round(Math.min(100, Math.max(1, opts.quality ?? 92)));
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 }, limitInputPixels: false });
  if (opts.gps && Object.keys(opts.gps).length > 0) s = s.withExif({ IFD3: opts.gps });
  switch (opts.format) {
    case 'jpeg':
      return s.jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' }).toBuffer();
    case 'png':
      return s.png({ compressionLevel: 6 }).toBuffer();
    case 'webp':
      return s.webp({ quality }).toBuffer();
    default:
      throw new PhotoError('unsupported-format', `Cannot write format ${String(opts.format)}.`);
  }
}

/** High-quality resize (Lanczos when shrinking) of a DecodedImage to exactly width x height. */
export async function resizeImage(img: DecodedImage, width: number, height: number): Promise<DecodedImage> {
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 }, limitInputPixels: false })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return createImage(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.length));
}
