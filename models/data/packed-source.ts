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
import { MemoryFaceSource, SPLIT_TRAIN, SPLIT_VAL, loadFolderFaces, type FaceSource, type FolderOptions } from './face-source';
import { stratumOf } from './labels';

interface PackedMeta {
  format: string;
  size: number;
  channels?: number;
  complete?: boolean;
}

export class PackedFaceSource implements FaceSource {
  readonly count: number;
  private readonly rowBytes: number;

  private constructor(
    readonly dir: string,
    readonly size: number,
    readonly ages: Float32Array,
    readonly splits: Uint8Array,
    readonly files: string[],
    readonly complete: boolean,
    private readonly fh: fs.FileHandle,
    readonly strata?: readonly string[],
  ) {
    this.count = ages.length;
    this.rowBytes = size * size * 3;
  }

  static async open(dir: string): Promise<PackedFaceSource> {
    const meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as PackedMeta;
    if (meta.format !== 'face-age-packed-v1') throw new Error(`${dir} is not a packed face dataset (format ${meta.format})`);
    if ((meta.channels ?? 3) !== 3) throw new Error(`${dir}: expected 3 channels`);
    const text = await fs.readFile(path.join(dir, 'index.csv'), 'utf8');
    // A torn last line (the preparer was killed mid-append) is ignored.
    const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '');
    const header = lines[0].split(',');
    const col = (name: string) => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`${dir}/index.csv has no column ${name}`);
      return i;
    };
    const ri = col('row');
    const ai = col('age');
    const si = col('split');
    const fi = col('file');
    const gi = header.indexOf('gender');
    const ci = header.indexOf('race');
    const rows = lines.slice(1).map((l) => l.split(','));
    const rowBytes = meta.size * meta.size * 3;
    const fh = await fs.open(path.join(dir, 'crops.bin'), 'r');
    const { size: binSize } = await fh.stat();
    const usable = rows.filter((r, i) => {
      if (Number(r[ri]) !== i) throw new Error(`${dir}/index.csv row ${i} is numbered ${r[ri]}`);
      return (i + 1) * rowBytes <= binSize;
    });
    return new PackedFaceSource(
      dir,
      meta.size,
      Float32Array.from(usable.map((r) => Number(r[ai]))),
      Uint8Array.from(usable.map((r) => (r[si] === 'val' ? SPLIT_VAL : SPLIT_TRAIN))),
      usable.map((r) => r[fi]),
      meta.complete === true,
      fh,
      gi >= 0 && ci >= 0 ? usable.map((r) => stratumOf(r[gi] ?? '', r[ci] ?? '')) : undefined,
    );
  }

  async read(index: number, out?: Uint8Array): Promise<Uint8Array> {
    if (index < 0 || index >= this.count) throw new Error(`face ${index} out of range (0..${this.count - 1})`);
    const buf = out ?? new Uint8Array(this.rowBytes);
    const { bytesRead } = await this.fh.read(buf, 0, this.rowBytes, index * this.rowBytes);
    if (bytesRead !== this.rowBytes) throw new Error(`short read of face ${index} in ${this.dir}/crops.bin`);
    return buf;
  }

  async close(): Promise<void> {
    await this.fh.close();
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
