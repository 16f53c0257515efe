import { mkdtempSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { headerOnlyAnalyzer } from '../../main/library/image-check';
import { Library } from '../../main/library/library';
import type { AnalyzeResult, Analyzer, ImportFile } from '../../main/library/types';

// Library benchmark: import throughput and listing latency on a library of N (default 10,000)
// real, distinct small JPEGs generated at run time. The analyzer is a stand-in: real sharp
// metadata plus one synthetic face with a seeded age (so the age filter has data); face detection
// is not part of this number. runRealPhotoImportBench (below) measures import with a real analyzer
// (the engine's face pipeline) on real photos.

export interface LibraryBenchOptions {
  photos?: number;
  /** Side of the generated JPEGs in px. */
  imageSize?: number;
  /** Photos per importPhotos call. */
  batch?: number;
  /** Library folder (default: a new temp folder, removed afterwards unless keep). */
  dir?: string;
  keep?: boolean;
  /** Timed repetitions of each listing query. */
  repeats?: number;
  /** Name substring for the search query (default 'IMG_012': 1% of 10,000 photos). */
  search?: string;
}

export interface LatencyStats {
  medianMs: number;
  p95Ms: number;
  matches: number;
}

export interface LibraryBenchResult {
  photos: number;
  imageSize: number;
  generateSeconds: number;
  importSeconds: number;
  photosPerSecond: number;
  reopenMs: number;
  firstPage: LatencyStats;
  searchByName: LatencyStats;
  filterByAge: LatencyStats;
  libraryMiB: number;
}

/** The synthetic face age of bench photo i (0..90). */
export function seededAge(i: number): number {
  return Math.round(((Math.imul(i + 1, 2654435761) >>> 0) / 4294967296) * 90);
}

async function benchJpeg(i: number, size: number): Promise<Buffer> {
  const px = Buffer.alloc(size * size * 3, (i * 29) % 256);
  // The index in binary as black/white pixels keeps every image distinct.
  for (let bit = 0; bit < 16; bit++) px.fill((i >> bit) & 1 ? 255 : 0, bit * 3, bit * 3 + 3);
  return sharp(px, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
}

async function analyzer(bytes: Buffer, age: number): Promise<AnalyzeResult> {
  const base = await headerOnlyAnalyzer(bytes);
  const face = { box: { x: 4, y: 4, width: 24, height: 24 }, score: 0.99, landmarks: [], age, descriptor: null };
  return { ...base, faces: [face] };
}

function stats(samples: number[], matches: number): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { medianMs: +at(0.5).toFixed(3), p95Ms: +at(0.95).toFixed(3), matches };
}

function time<T>(repeats: number, fn: () => T): { samples: number[]; last: T } {
  const samples: number[] = [];
  let last!: T;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    last = fn();
    samples.push(performance.now() - t);
  }
  return { samples, last };
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fsp.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await fsp.stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}

export async function runLibraryBench(opts: LibraryBenchOptions = {}): Promise<LibraryBenchResult> {
  const n = opts.photos ?? 10_000;
  const size = opts.imageSize ?? 64;
  const batch = opts.batch ?? 100;
  const repeats = opts.repeats ?? 30;
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'library-bench-'));
  let lib = await Library.open(dir);
  let generateMs = 0;
  let importMs = 0;
  try {
    const project = lib.createProject({ name: 'bench' });
    const ageOf = new Map<Buffer, number>();
    for (let start = 0; start < n; start += batch) {
      let t = performance.now();
      const files: ImportFile[] = [];
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const bytes = await benchJpeg(i, size);
        ageOf.set(bytes, seededAge(i));
        files.push({ name: `IMG_${String(i).padStart(5, '0')}.jpg`, bytes });
      }
      generateMs += performance.now() - t;
      t = performance.now();
      const res = await lib.importPhotos(project.id, files, (b) => analyzer(b, ageOf.get(b) ?? 0));
      importMs += performance.now() - t;
      ageOf.clear();
      const bad = res.find((r) => r.status !== 'imported');
      if (bad) throw new Error(`bench import failed: ${JSON.stringify(bad)}`);
    }
    lib.close();
    const t0 = performance.now();
    lib = await Library.open(dir);
    const reopenMs = performance.now() - t0;

    const page = time(repeats, () => lib.listPhotos({ projectId: project.id, limit: 100 }));
    const search = time(repeats, () => lib.listPhotos({ projectId: project.id, search: opts.search ?? 'IMG_012', limit: 100 }));
    const ages = time(repeats, () =>
      lib.listPhotos({ projectId: project.id, minAge: 30, maxAge: 40, sort: 'age-asc', limit: 100 }),
    );
    lib.close();
    return {
      photos: n,
      imageSize: size,
      generateSeconds: +(generateMs / 1000).toFixed(2),
      importSeconds: +(importMs / 1000).toFixed(2),
      photosPerSecond: +(n / (importMs / 1000)).toFixed(1),
      reopenMs: +reopenMs.toFixed(1),
      firstPage: stats(page.samples, page.last.total),
      searchByName: stats(search.samples, search.last.total),
      filterByAge: stats(ages.samples, ages.last.total),
      libraryMiB: +((await folderBytes(dir)) / 2 ** 20).toFixed(1),
    };
  } finally {
    lib.close();
    if (!opts.keep && !opts.dir) await fsp.rm(dir, { recursive: true, force: true });
  }
}

export interface RealPhotoImportOptions {
  /** Real photo files (JPEG/PNG portraits); each round imports every one of them once. */
  files: string[];
  /** The analyzer the studio imports with (e.g. engineAnalyzer over a running engine). */
  analyzer: Analyzer;
  /**
   * Rounds over `files` (default 2). Round 0 imports the files as they are; round r > 0 a re-encoded
   * copy cropped by r px on each side (distinct bytes, so the library's hash check does not skip it;
   * the same faces). Copies are made before timing starts.
   */
  rounds?: number;
}

export interface RealPhotoImportResult {
  photos: number;
  sources: number;
  rounds: number;
  imported: number;
  /** Photos the analyzer found at least one face in, and faces in total. */
  photosWithFaces: number;
  faces: number;
  meanMegapixels: number;
  importSeconds: number;
  photosPerSecond: number;
  /** Time inside the analyzer per photo (the rest of import is hashing, thumbnails, files, SQLite). */
  analyzeMs: { median: number; p95: number };
  /** The first photo's analysis alone (face-api networks load and warm up on first use). */
  firstAnalyzeMs: number;
}

async function croppedCopy(bytes: Buffer, r: number): Promise<Buffer> {
  const img = sharp(bytes);
  const m = await img.metadata();
  const w = m.width ?? 0;
  const h = m.height ?? 0;
  if (w <= 2 * r + 8 || h <= 2 * r + 8) throw new Error(`photo too small to crop for round ${r}`);
  const cropped = img.keepMetadata().extract({ left: r, top: r, width: w - 2 * r, height: h - 2 * r });
  return m.format === 'png' ? cropped.png().toBuffer() : cropped.jpeg({ quality: 92 }).toBuffer();
}

/** Import throughput (photos/s) of real photos through a real analyzer into a fresh library. */
export async function runRealPhotoImportBench(opts: RealPhotoImportOptions): Promise<RealPhotoImportResult> {
  if (opts.files.length === 0) throw new Error('runRealPhotoImportBench: no photos');
  const rounds = opts.rounds ?? 2;
  const originals = await Promise.all(opts.files.map((f) => fsp.readFile(f)));
  const files: ImportFile[] = [];
  let pixels = 0;
  for (let r = 0; r < rounds; r++) {
    for (const [i, bytes] of originals.entries()) {
      const b = r === 0 ? bytes : await croppedCopy(bytes, r);
      const m = await sharp(b).metadata();
      pixels += (m.width ?? 0) * (m.height ?? 0);
      files.push({ name: `r${r}-${path.basename(opts.files[i])}`, bytes: b });
    }
  }
  const analyzeTimes: number[] = [];
  const timed: Analyzer = async (bytes) => {
    const t = performance.now();
    try {
      return await opts.analyzer(bytes);
    } finally {
      analyzeTimes.push(performance.now() - t);
    }
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'library-bench-real-'));
  const lib = await Library.open(dir);
  try {
    const project = lib.createProject({ name: 'bench-real' });
    const t0 = performance.now();
    const res = await lib.importPhotos(project.id, files, timed);
    const importMs = performance.now() - t0;
    const bad = res.find((r) => r.status !== 'imported');
    if (bad) throw new Error(`bench import failed: ${JSON.stringify(bad)}`);
    let photosWithFaces = 0;
    let faces = 0;
    for (const r of res) {
      if (r.status !== 'imported') continue;
      const n = lib.getPhoto(r.photoId).faces.length;
      faces += n;
      if (n > 0) photosWithFaces++;
    }
    const rest = analyzeTimes.slice(1).sort((a, b) => a - b);
    const at = (q: number) => rest[Math.min(rest.length - 1, Math.floor(q * rest.length))] ?? Number.NaN;
    return {
      photos: files.length,
      sources: opts.files.length,
      rounds,
      imported: res.length,
      photosWithFaces,
      faces,
      meanMegapixels: +(pixels / files.length / 1e6).toFixed(2),
      importSeconds: +(importMs / 1000).toFixed(2),
      photosPerSecond: +(files.length / (importMs / 1000)).toFixed(2),
      analyzeMs: { median: Math.round(at(0.5)), p95: Math.round(at(0.95)) },
      firstAnalyzeMs: Math.round(analyzeTimes[0] ?? Number.NaN),
    };
  } finally {
    lib.close();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
