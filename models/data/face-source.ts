/**
 * Where training faces come from. A FaceSource is a random-access list of aligned square crops
 * (uint8 RGB, size x size) with their ages and train/val split; FaceDataset samples and augments
 * from it. Two implementations: in memory (a folder of images + labels.csv, for fine-tuning and
 * tests) and the packed dataset on disk (packed-source.ts, read by positional file reads so a
 * 1 GB pack never sits in memory).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { parseFaceLabels, splitOf } from './labels';

export const SPLIT_TRAIN = 0;
export const SPLIT_VAL = 1;

export interface FaceSource {
  /** Side of the stored crops in pixels. */
  readonly size: number;
  readonly count: number;
  /** Labelled age of each face in years. */
  readonly ages: Float32Array;
  /** SPLIT_TRAIN or SPLIT_VAL per face. */
  readonly splits: Uint8Array;
  /**
   * Demographic stratum of each face (`stratumOf(gender, race)`, '' when unknown), used only to
   * balance the prototype's mean faces; absent when the source's labels have no such columns.
   */
  readonly strata?: readonly string[];
  /** Reads face `index` as size*size*3 RGB bytes (into `out` when given). */
  read(index: number, out?: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** All faces held in one buffer (count * size * size * 3 bytes). */
export class MemoryFaceSource implements FaceSource {
  readonly count: number;
  constructor(
    readonly size: number,
    readonly pixels: Uint8Array,
    readonly ages: Float32Array,
    readonly splits: Uint8Array,
    readonly names: string[] = [],
    readonly strata?: readonly string[],
  ) {
    this.count = ages.length;
    if (pixels.length !== this.count * size * size * 3) throw new Error('pixel buffer does not match count x size');
    if (splits.length !== this.count) throw new Error('splits length does not match count');
    if (strata && strata.length !== this.count) throw new Error('strata length does not match count');
  }

  async read(index: number, out?: Uint8Array): Promise<Uint8Array> {
    const n = this.size * this.size * 3;
    const view = this.pixels.subarray(index * n, (index + 1) * n);
    if (!out) return view;
    out.set(view);
    return out;
  }

  async close(): Promise<void> {}
}

export interface FolderOptions {
  /** Side of the crops kept in memory (default 128). Non-square images are centre-cropped. */
  size?: number;
  /** Share of faces put in the val split, chosen by the content hash (default 0). */
  valFraction?: number;
  /**
   * Seed of the content-hash split, the same rule as the packed dataset's (models/face
   * splitOf), so a face is on the same side whichever source it is read from. Default 1234.
   */
  splitSeed?: number;
  /** Where the images are, when not beside labels.csv (UTKFace: `<dir>/images`). */
  imagesDir?: string;
  /** Decode in parallel (default 4); sharp runs off the main thread. */
  concurrency?: number;
}

/** labels.csv's folder: `dir` itself, or the folder whose labels.csv lists files of `images/`. */
async function resolveFolderLayout(dir: string, imagesDir?: string): Promise<{ labels: string; images: string }> {
  if (imagesDir) return { labels: path.join(dir, 'labels.csv'), images: imagesDir };
  const beside = path.join(dir, 'images');
  const hasImagesDir = await fs.stat(beside).then((s) => s.isDirectory(), () => false);
  return { labels: path.join(dir, 'labels.csv'), images: hasImagesDir ? beside : dir };
}

/**
 * Loads a folder of aligned face images listed in `<dir>/labels.csv`. Byte-identical files are
 * kept once (the split is by content hash, so a duplicate can never sit on both sides).
 */
export async function loadFolderFaces(dir: string, opts: FolderOptions = {}): Promise<MemoryFaceSource> {
  const size = opts.size ?? 128;
  const valFraction = opts.valFraction ?? 0;
  const layout = await resolveFolderLayout(dir, opts.imagesDir);
  const rows = parseFaceLabels(await fs.readFile(layout.labels, 'utf8'));
  const loaded: Array<{ name: string; age: number; stratum?: string; key: string; split: number; rgb: Buffer } | null> = new Array(rows.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < rows.length; i = next++) {
      const row = rows[i];
      const bytes = await fs.readFile(path.join(layout.images, row.file));
      const key = createHash('sha256').update(bytes).digest('hex');
      const rgb = await sharp(bytes)
        .autoOrient()
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .removeAlpha()
        .resize(size, size, { fit: 'cover', kernel: 'lanczos3' })
        .raw()
        .toBuffer();
      const split = splitOf(key, opts.splitSeed ?? 1234, valFraction) === 'val' ? SPLIT_VAL : SPLIT_TRAIN;
      loaded[i] = { name: row.file, age: row.age, stratum: row.stratum, key, split, rgb };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  const seen = new Set<string>();
  const kept = loaded.filter((k): k is NonNullable<typeof k> => {
    if (!k || seen.has(k.key)) return false;
    seen.add(k.key);
    return true;
  });
  const n = size * size * 3;
  const pixels = new Uint8Array(kept.length * n);
  kept.forEach((k, i) => pixels.set(k.rgb, i * n));
  return new MemoryFaceSource(
    size,
    pixels,
    Float32Array.from(kept.map((k) => k.age)),
    Uint8Array.from(kept.map((k) => k.split)),
    kept.map((k) => k.name),
    // Every row has a stratum exactly when labels.csv has gender and race columns.
    rows.length > 0 && rows[0].stratum !== undefined ? kept.map((k) => k.stratum ?? '') : undefined,
  );
}
