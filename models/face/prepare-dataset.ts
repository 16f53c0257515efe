/**
 * Packs a folder of labelled face photos into the dataset the models pretrain on: every face aligned
 * by the app's own aligner (locateFaces + alignFace, the same code that runs on a user's photo) to a
 * size x size canonical crop, stored as raw uint8 RGB rows. Format: see models/face/README.md.
 *
 * Resumable and crash-consistent: work goes in chunks; each chunk appends its crops to crops.bin
 * first and its rows to index.csv / rejected.csv after, so on restart index.csv says what is done
 * and crops.bin is cut back to exactly its rows.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../image/image-io';
import { isPhotoError } from '../image/photo-error';
import { alignFace } from './align';
import { locateFaces } from './analyze';
import { dedupByHash, hashRows, parseLabelsCsv, splitOf, type HashedRow } from '../data/labels';
import { applyAffine } from './affine';
import { INDEX_HEADER, LANDMARK_FLOATS, LANDMARK_ROW_BYTES, LANDMARKS_FILE, PACKED_FORMAT, REJECTED_HEADER } from './packed-format';
import { CANONICAL_POINTS } from './template';


export interface PrepareDatasetOptions {
  imagesDir: string;
  /** Default <imagesDir>/../labels.csv, else <imagesDir>/labels.csv. */
  labelsCsv?: string;
  outDir: string;
  /** Crop side. Default 128. */
  size?: number;
  valFraction?: number;
  /** Seed of the hash-based split. Default 1234. */
  seed?: number;
  /** Images per chunk (one fsync each). Default 200. */
  chunkSize?: number;
  /** Stop after this many images in this run (for trials). */
  limit?: number;
  /** Lowest eye distance accepted, source pixels. Default 16 (UTKFace faces have ~45-60). */
  minEyeDistance?: number;
  log?: (msg: string) => void;
}

export interface PrepareReport {
  outDir: string;
  labelled: number;
  unique: number;
  droppedDuplicates: number;
  droppedConflicts: number;
  written: number;
  rejected: number;
  /** Faces found by a detector (not the whole-image assumption) / faces processed. */
  detectionRate: number;
  detectorCounts: Record<string, number>;
  processedThisRun: number;
  secondsThisRun: number;
  imagesPerSecond: number;
  complete: boolean;
}

function defaultLabels(imagesDir: string): string {
  const beside = path.join(path.dirname(path.resolve(imagesDir)), 'labels.csv');
  return existsSync(beside) ? beside : path.join(imagesDir, 'labels.csv');
}

/** Lines of a CSV written by us, dropping a torn last line (crash mid-write) and the header. */
function readOwnCsv(file: string, header: string): string[] {
  if (!existsSync(file)) {
    writeFileSync(file, header + '\n');
    return [];
  }
  const text = readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) truncateSync(file, Buffer.byteLength(text.slice(0, end)));
  return text.slice(0, end).split('\n').slice(1).filter((l) => l !== '');
}

function appendDurable(file: string, data: string | Uint8Array): void {
  appendFileSync(file, data);
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

interface Counts {
  detector: Record<string, number>;
  written: number;
  rejected: number;
}

function countsFrom(indexLines: string[], rejectedLines: string[]): Counts {
  const detector: Record<string, number> = {};
  for (const l of indexLines) {
    const d = l.split(',')[8];
    detector[d] = (detector[d] ?? 0) + 1;
  }
  return { detector, written: indexLines.length, rejected: rejectedLines.length };
}

function detectionRate(c: Counts, rejectedNoFace: number): number {
  const total = c.written + rejectedNoFace;
  const byDetector = c.written - (c.detector['whole-image'] ?? 0);
  return total === 0 ? 0 : byDetector / total;
}

export async function prepareDataset(opts: PrepareDatasetOptions): Promise<PrepareReport> {
  const log = opts.log ?? (() => {});
  const size = opts.size ?? 128;
  const seed = opts.seed ?? 1234;
  const valFraction = opts.valFraction ?? 0.1;
  const chunkSize = opts.chunkSize ?? 200;
  const rowBytes = size * size * 3;
  mkdirSync(opts.outDir, { recursive: true });
  const cropsFile = path.join(opts.outDir, 'crops.bin');
  const landmarksFile = path.join(opts.outDir, LANDMARKS_FILE);
  const indexFile = path.join(opts.outDir, 'index.csv');
  const rejectedFile = path.join(opts.outDir, 'rejected.csv');
  const metaFile = path.join(opts.outDir, 'meta.json');

  const metaBase = { format: PACKED_FORMAT, size, channels: 3, layout: 'NHWC uint8 RGB, row-major, one crop per index row', seed, valFraction, canonicalPoints: CANONICAL_POINTS };
  if (existsSync(metaFile)) {
    const old = JSON.parse(readFileSync(metaFile, 'utf8')) as { size?: number; seed?: number; format?: string };
    if (old.size !== size || old.seed !== seed || old.format !== PACKED_FORMAT) {
      throw new Error(`${opts.outDir} holds a different packed dataset (size ${old.size}, seed ${old.seed}); use another folder`);
    }
  }

  const labelsCsv = opts.labelsCsv ?? defaultLabels(opts.imagesDir);
  const labels = parseLabelsCsv(readFileSync(labelsCsv, 'utf8'));
  const { hashed, missing } = hashRows(labels, opts.imagesDir);
  const { kept, dropped } = dedupByHash(hashed);
  const conflicts = dropped.filter((d) => d.reason === 'duplicate-conflict').length;
  log(`${labels.length} labelled, ${missing.length} missing, ${kept.length} unique, ${dropped.length - conflicts} duplicate copies, ${conflicts} rows in conflicting duplicate groups dropped`);

  const indexLines = readOwnCsv(indexFile, INDEX_HEADER);
  const rejectedLines = readOwnCsv(rejectedFile, REJECTED_HEADER);
  // crops.bin may hold a chunk whose rows were never written: cut it back to the index.
  if (!existsSync(cropsFile)) writeFileSync(cropsFile, new Uint8Array(0));
  const have = statSync(cropsFile).size;
  if (have < indexLines.length * rowBytes) throw new Error('crops.bin is shorter than index.csv says: the dataset is damaged');
  if (have > indexLines.length * rowBytes) truncateSync(cropsFile, indexLines.length * rowBytes);
  // landmarks.bin follows crops.bin row for row; a dataset packed before it existed gets none.
  if (indexLines.length === 0 && !existsSync(landmarksFile)) writeFileSync(landmarksFile, new Uint8Array(0));
  const withLandmarks = existsSync(landmarksFile);
  if (withLandmarks) {
    const lm = statSync(landmarksFile).size;
    if (lm < indexLines.length * LANDMARK_ROW_BYTES) throw new Error('landmarks.bin is shorter than index.csv says: the dataset is damaged');
    if (lm > indexLines.length * LANDMARK_ROW_BYTES) truncateSync(landmarksFile, indexLines.length * LANDMARK_ROW_BYTES);
  }

  const done = new Set<string>([...indexLines.map((l) => l.split(',')[1]), ...rejectedLines.map((l) => l.split(',')[0])]);
  if (done.size === 0) {
    const lines = [...missing.map((r) => `${r.file},,missing`), ...dropped.map((r) => `${r.file},${r.hash},${r.reason}`)];
    if (lines.length) appendDurable(rejectedFile, lines.join('\n') + '\n');
    for (const l of lines) rejectedLines.push(l);
    for (const r of [...missing, ...dropped]) done.add(r.file);
  }
  const remaining = kept.filter((r) => !done.has(r.file));
  const todo = remaining.slice(0, opts.limit ?? Infinity);
  const counts = countsFrom(indexLines, rejectedLines);
  let noFace = rejectedLines.filter((l) => l.endsWith(',no-face')).length;
  log(`${indexLines.length} crops already packed; ${todo.length} to do in this run`);

  const started = Date.now();
  let processed = 0;
  const writeMeta = (complete: boolean) => {
    const meta = { ...metaBase, count: counts.written, rejected: counts.rejected, detectorCounts: counts.detector, detectionRate: detectionRate(counts, noFace), complete, updatedAt: new Date().toISOString(), source: path.resolve(opts.imagesDir) };
    writeFileSync(metaFile + '.tmp', JSON.stringify(meta, null, 2));
    renameSync(metaFile + '.tmp', metaFile);
  };

  for (let c = 0; c < todo.length; c += chunkSize) {
    const chunk = todo.slice(c, c + chunkSize);
    const crops = Buffer.alloc(chunk.length * rowBytes);
    const marks = new Float32Array(chunk.length * LANDMARK_FLOATS);
    const rows: string[] = [];
    const rejects: string[] = [];
    let n = 0;
    for (const r of chunk) {
      const outcome = await packOne(r, opts, size);
      if ('reason' in outcome) {
        rejects.push(`${r.file},${r.hash},${outcome.reason}`);
        if (outcome.reason === 'no-face') noFace++;
        continue;
      }
      crops.set(outcome.crop, n * rowBytes);
      marks.set(outcome.landmarks, n * LANDMARK_FLOATS);
      const split = splitOf(r.hash, seed, valFraction);
      rows.push([counts.written + n, r.file, r.age, r.gender ?? '', r.race ?? '', r.hash, split, outcome.score.toFixed(4), outcome.detector, outcome.eyeDistance.toFixed(1), outcome.inside.toFixed(3)].join(','));
      counts.detector[outcome.detector] = (counts.detector[outcome.detector] ?? 0) + 1;
      n++;
    }
    appendDurable(cropsFile, crops.subarray(0, n * rowBytes));
    if (withLandmarks) appendDurable(landmarksFile, new Uint8Array(marks.buffer, 0, n * LANDMARK_ROW_BYTES));
    if (rows.length) appendDurable(indexFile, rows.join('\n') + '\n');
    if (rejects.length) appendDurable(rejectedFile, rejects.join('\n') + '\n');
    counts.written += n;
    counts.rejected += rejects.length;
    processed += chunk.length;
    writeMeta(false);
    const secs = (Date.now() - started) / 1000;
    const rate = processed / secs;
    log(`${counts.written} packed, ${counts.rejected} rejected; ${processed}/${todo.length} this run, ${rate.toFixed(2)} img/s, ETA ${((todo.length - processed) / rate / 60).toFixed(1)} min; detectors ${JSON.stringify(counts.detector)}`);
  }
  const complete = processed === remaining.length;
  writeMeta(complete);
  const secs = (Date.now() - started) / 1000;
  return {
    outDir: opts.outDir,
    labelled: labels.length,
    unique: kept.length,
    droppedDuplicates: dropped.length - conflicts,
    droppedConflicts: conflicts,
    written: counts.written,
    rejected: counts.rejected,
    detectionRate: detectionRate(counts, noFace),
    detectorCounts: counts.detector,
    processedThisRun: processed,
    secondsThisRun: secs,
    imagesPerSecond: secs > 0 ? processed / secs : 0,
    complete,
  };
}

type PackOutcome =
  | { crop: Uint8Array; landmarks: Float32Array; score: number; detector: string; eyeDistance: number; inside: number }
  | { reason: string };

async function packOne(r: HashedRow, opts: PrepareDatasetOptions, size: number): Promise<PackOutcome> {
  try {
    const img = await decodeImage(path.join(opts.imagesDir, r.file));
    const [face] = await locateFaces(img, { mode: 'dataset', minEyeDistance: opts.minEyeDistance ?? 16 });
    const aligned = alignFace(img, face, size);
    const landmarks = new Float32Array(LANDMARK_FLOATS);
    face.landmarks.forEach((p, i) => {
      const u = applyAffine(face.alignment, p);
      landmarks[2 * i] = u.x;
      landmarks[2 * i + 1] = u.y;
    });
    return { crop: aligned.data, landmarks, score: face.score, detector: face.box.detector, eyeDistance: face.eyeDistance, inside: aligned.insideFraction };
  } catch (e) {
    if (isPhotoError(e)) return { reason: e.code };
    throw e;
  }
}
