/**
 * Reader of the packed face dataset written by prepareDataset (format: models/face/README.md).
 * Safe to open while preparation is still running: only rows whose crop is fully on disk are listed.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { LANDMARK_FLOATS, LANDMARK_ROW_BYTES, LANDMARKS_FILE, PACKED_FORMAT } from './packed-format';

export interface PackedRow {
  /** Position of the crop in crops.bin. */
  row: number;
  file: string;
  age: number;
  gender: number | null;
  race: number | null;
  /** sha256 of the source file's bytes. */
  hash: string;
  split: 'train' | 'val';
  /** Detector confidence (0 when the face was assumed to fill the crop). */
  score: number;
  detector: string;
  /** Eye distance in the source image, pixels. */
  eyeDistance: number;
  /** Fraction of the crop showing real source pixels. */
  inside: number;
}

export interface PackedMeta {
  format: string;
  size: number;
  channels: number;
  count: number;
  complete: boolean;
  [key: string]: unknown;
}

export interface PackedDataset {
  dir: string;
  meta: PackedMeta;
  /** Crop side (pixels). */
  size: number;
  rows: PackedRow[];
  /** One crop, size * size * 3 uint8 RGB. */
  readCrop(row: number): Uint8Array;
  /** One crop into `out` (at least size * size * 3 bytes); returns `out`. */
  readCropInto(row: number, out: Uint8Array): Uint8Array;
  /** Several crops, concatenated in the given order: [n, size, size, 3] uint8. */
  readCrops(rows: readonly number[]): Uint8Array;
  /** 68 landmarks of one row in unit crop coordinates (x0, y0, x1, ...), or null when the dataset has no landmarks.bin. */
  readLandmarks(row: number): Float32Array | null;
  readonly hasLandmarks: boolean;
  close(): void;
}

/**
 * Row parser for an index.csv header: columns are found by name, so the full index the preparer
 * writes (row,file,age,gender,race,hash,split,score,detector,eye_distance,inside) and the short one
 * of a decoded-folder cache (row,file,age,[gender,race,]split) read alike; absent columns get
 * neutral values.
 */
function rowParser(dir: string, header: string[]): (line: string) => PackedRow {
  const at = (name: string, required = false) => {
    const i = header.indexOf(name);
    if (required && i < 0) throw new Error(`${dir}/index.csv has no column ${name}`);
    return i;
  };
  const [ri, fi, ai, si] = [at('row', true), at('file', true), at('age', true), at('split', true)];
  const [gi, ci, hi, sci, di, ei, ii] = ['gender', 'race', 'hash', 'score', 'detector', 'eye_distance', 'inside'].map((n) => at(n));
  const opt = (c: string[], i: number) => (i < 0 || c[i] === undefined || c[i] === '' ? null : Number(c[i]));
  return (line) => {
    const c = line.split(',');
    return {
      row: Number(c[ri]),
      file: c[fi],
      age: Number(c[ai]),
      gender: opt(c, gi),
      race: opt(c, ci),
      hash: hi < 0 ? '' : c[hi],
      split: c[si] === 'val' ? 'val' : 'train',
      score: opt(c, sci) ?? 0,
      detector: di < 0 ? '' : c[di],
      eyeDistance: opt(c, ei) ?? 0,
      inside: opt(c, ii) ?? 1,
    };
  };
}

export function openPackedDataset(dir: string): PackedDataset {
  const metaFile = path.join(dir, 'meta.json');
  if (!existsSync(metaFile)) throw new Error(`${dir} is not a packed face dataset (no meta.json)`);
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as PackedMeta;
  if (meta.format !== PACKED_FORMAT) throw new Error(`${dir}: format ${meta.format}, expected ${PACKED_FORMAT}`);
  if ((meta.channels ?? 3) !== 3) throw new Error(`${dir}: expected 3 channels`);
  const size = meta.size;
  const rowBytes = size * size * 3;
  const fd = openSync(path.join(dir, 'crops.bin'), 'r');
  const onDisk = Math.floor(fstatSync(fd).size / rowBytes);
  const text = readFileSync(path.join(dir, 'index.csv'), 'utf8');
  // A torn last line (the preparer was killed mid-append) is ignored.
  const all = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '');
  const parseRow = rowParser(dir, (all[0] ?? '').split(','));
  const lines = all.slice(1);
  const lmPath = path.join(dir, LANDMARKS_FILE);
  const lmFd = existsSync(lmPath) ? openSync(lmPath, 'r') : null;
  const lmOnDisk = lmFd === null ? 0 : Math.floor(fstatSync(lmFd).size / LANDMARK_ROW_BYTES);
  const rows = lines.map(parseRow).filter((r) => r.row < onDisk && (lmFd === null || r.row < lmOnDisk));
  const readInto = (row: number, buf: Uint8Array, offset: number) => {
    if (!Number.isInteger(row) || row < 0 || row >= onDisk) throw new Error(`row ${row} out of range (0..${onDisk - 1})`);
    const n = readSync(fd, buf, offset, rowBytes, row * rowBytes);
    if (n !== rowBytes) throw new Error(`short read of row ${row}`);
  };
  return {
    dir,
    meta,
    size,
    rows,
    readCrop(row) {
      const buf = new Uint8Array(rowBytes);
      readInto(row, buf, 0);
      return buf;
    },
    readCropInto(row, out) {
      readInto(row, out, 0);
      return out;
    },
    readCrops(list) {
      const buf = new Uint8Array(list.length * rowBytes);
      list.forEach((row, i) => readInto(row, buf, i * rowBytes));
      return buf;
    },
    hasLandmarks: lmFd !== null,
    readLandmarks(row) {
      if (lmFd === null) return null;
      if (!Number.isInteger(row) || row < 0 || row >= lmOnDisk) throw new Error(`row ${row} has no landmarks (0..${lmOnDisk - 1})`);
      const out = new Float32Array(LANDMARK_FLOATS);
      const n = readSync(lmFd, new Uint8Array(out.buffer), 0, LANDMARK_ROW_BYTES, row * LANDMARK_ROW_BYTES);
      if (n !== LANDMARK_ROW_BYTES) throw new Error(`short read of landmarks row ${row}`);
      return out;
    },
    close() {
      closeSync(fd);
      if (lmFd !== null) closeSync(lmFd);
    },
  };
}
