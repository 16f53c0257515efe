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
  /** Several crops, concatenated in the given order: [n, size, size, 3] uint8. */
  readCrops(rows: readonly number[]): Uint8Array;
  /** 68 landmarks of one row in unit crop coordinates (x0, y0, x1, ...), or null when the dataset has no landmarks.bin. */
  readLandmarks(row: number): Float32Array | null;
  readonly hasLandmarks: boolean;
  close(): void;
}

function parseRow(line: string): PackedRow {
  const c = line.split(',');
  const opt = (s: string) => (s === '' ? null : Number(s));
  return {
    row: Number(c[0]),
    file: c[1],
    age: Number(c[2]),
    gender: opt(c[3]),
    race: opt(c[4]),
    hash: c[5],
    split: c[6] === 'val' ? 'val' : 'train',
    score: Number(c[7]),
    detector: c[8],
    eyeDistance: Number(c[9]),
    inside: Number(c[10]),
  };
}

export function openPackedDataset(dir: string): PackedDataset {
  const metaFile = path.join(dir, 'meta.json');
  if (!existsSync(metaFile)) throw new Error(`${dir} is not a packed face dataset (no meta.json)`);
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as PackedMeta;
  if (meta.format !== PACKED_FORMAT) throw new Error(`${dir}: format ${meta.format}, expected ${PACKED_FORMAT}`);
  const size = meta.size;
  const rowBytes = size * size * 3;
  const fd = openSync(path.join(dir, 'crops.bin'), 'r');
  const onDisk = Math.floor(fstatSync(fd).size / rowBytes);
  const text = readFileSync(path.join(dir, 'index.csv'), 'utf8');
  const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').slice(1).filter((l) => l !== '');
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
