/**
 * Reads the packed dataset written by models/face/prepare-dataset.ts (format in
 * models/face/README.md): meta.json {format 'face-age-packed-v1', size}, crops.bin (uint8 RGB
 * size x size per row, in index order) and index.csv (row,file,age,[gender,race,]...,split,...);
 * gender and race, when both are there, give each face its stratum (FaceSource.strata). Faces are read
 * by positional reads, so a 1.1 GB pack costs no memory; a pack still being written can be read
 * (only rows already listed in index.csv, whose crops are written first, are used).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write';
import { openPackedDataset, type PackedDataset } from '../face/packed-dataset';
import { MemoryFaceSource, SPLIT_TRAIN, SPLIT_VAL, loadFolderFaces, type FaceSource, type FolderOptions } from './face-source';
import { stratumOf } from './labels';

/** A packed dataset as a training FaceSource: face i is row i of crops.bin (the one reader, face/packed-dataset.ts). */
export class PackedFaceSource implements FaceSource {
  readonly count: number;
  readonly size: number;
  readonly ages: Float32Array;
  readonly splits: Uint8Array;
  readonly files: string[];
  readonly complete: boolean;
  readonly strata?: readonly string[];

  private constructor(
    readonly dir: string,
    private readonly ds: PackedDataset,
    hasDemographics: boolean,
  ) {
    const rows = ds.rows;
    rows.forEach((r, i) => {
      if (r.row !== i) throw new Error(`${dir}/index.csv row ${i} is numbered ${r.row}`);
    });
    this.count = rows.length;
    this.size = ds.size;
    this.ages = Float32Array.from(rows, (r) => r.age);
    this.splits = Uint8Array.from(rows, (r) => (r.split === 'val' ? SPLIT_VAL : SPLIT_TRAIN));
    this.files = rows.map((r) => r.file);
    this.complete = ds.meta.complete === true;
    if (hasDemographics) this.strata = rows.map((r) => stratumOf(r.gender === null ? '' : String(r.gender), r.race === null ? '' : String(r.race)));
  }

  static async open(dir: string): Promise<PackedFaceSource> {
    const ds = openPackedDataset(dir);
    const header = (await fs.readFile(path.join(dir, 'index.csv'), 'utf8')).split('\n', 1)[0].split(',');
    return new PackedFaceSource(dir, ds, header.includes('gender') && header.includes('race'));
  }

  async read(index: number, out?: Uint8Array): Promise<Uint8Array> {
    if (index < 0 || index >= this.count) throw new Error(`face ${index} out of range (0..${this.count - 1})`);
    return this.ds.readCropInto(index, out ?? new Uint8Array(this.size * this.size * 3));
  }

  async close(): Promise<void> {
    this.ds.close();
  }
}

/**
 * Writes an in-memory source in the packed format (meta.json last, so a half-written cache is
 * never taken for a complete one). Used to cache a decoded image folder between runs.
 */
export async function writePackedFaces(src: MemoryFaceSource, dir: string, origin: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.rm(path.join(dir, 'meta.json'), { force: true });
  await writeFileAtomic(path.join(dir, 'crops.bin'), src.pixels);
  const strata = src.strata;
  // A stratum is `gender/race` (stratumOf), so it splits back at its first '/'; '' -> two empty cells.
  const demo = (i: number) => {
    const s = strata?.[i] ?? '';
    const cut = s.indexOf('/');
    return cut < 0 ? ',' : `${s.slice(0, cut)},${s.slice(cut + 1)}`;
  };
  const rows = Array.from(src.ages, (age, i) => `${i},${src.names[i] ?? ''},${age},${strata ? demo(i) + ',' : ''}${src.splits[i] === SPLIT_VAL ? 'val' : 'train'}`);
  const header = strata ? 'row,file,age,gender,race,split' : 'row,file,age,split';
  await writeFileAtomic(path.join(dir, 'index.csv'), [header, ...rows].join('\n') + '\n');
  const meta = { format: 'face-age-packed-v1', size: src.size, channels: 3, complete: true, count: src.count, cacheOf: origin };
  await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 1));
}

/**
 * Opens `dir` as a packed dataset when it has meta.json, else as a folder of images + labels.csv.
 * With `cacheDir`, a decoded folder is kept there as a pack and reused while it describes `dir`.
 */
export async function openFaceSource(dir: string, folderOpts: FolderOptions = {}, cacheDir?: string): Promise<FaceSource> {
  const isPacked = await fs.access(path.join(dir, 'meta.json')).then(() => true, () => false);
  if (isPacked) return PackedFaceSource.open(dir);
  const origin = JSON.stringify({ dir: path.resolve(dir), size: folderOpts.size ?? 128, val: folderOpts.valFraction ?? 0, seed: folderOpts.splitSeed ?? 1234 });
  if (cacheDir) {
    const meta = await fs.readFile(path.join(cacheDir, 'meta.json'), 'utf8').then((t) => JSON.parse(t) as { cacheOf?: string }, () => null);
    if (meta?.cacheOf === origin) return PackedFaceSource.open(cacheDir);
  }
  const src = await loadFolderFaces(dir, folderOpts);
  if (cacheDir) await writePackedFaces(src, cacheDir, origin);
  return src;
}
