/**
 * `npm run bench` sections (bundled by scripts/bench.mjs). Each section runs the benchmark
 * function its area exports and returns its JSON-able result; a failing section reports its
 * error and the others still run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { initEngineBackend } from '../../main/engine/backend';
import { ageFacesOp } from '../../main/engine/ops/aging';
import { exportPhotoOp } from '../../main/engine/ops/export';
import { analyzeOp } from '../../main/engine/ops/faces';
import { runSoakBench } from './soak-bench';
import { runLibraryBench, runRealPhotoImportBench } from './library-bench';
import { runAgeCganBench } from './age-cgan-bench';
import { runEngineVsTorchBench } from './torch-peer';
import { runCycleGanBench } from './cyclegan-bench';
import { runFacePipelineBench } from './face-bench';
import { runCheckpointBench } from './checkpoint-bench';
import { runFinetuneBench } from './finetune-bench';
import { runFinetuneIdentityBench } from './finetune-identity-bench';
import { initBackend } from '../../models/backend/select';
import { defaultThreadChoice, logicalCores, physicalCores } from '../../models/backend/thread-choice';

export interface BenchArgs {
  sections: string[];
  runs?: number;
  /** Library: photos imported (default 1000; the library's own default is 10,000). */
  photos?: number;
  /** CycleGAN / Age-cGAN resolutions (default their own: 128 and 256). */
  resolutions?: number[];
  megapixels?: number[];
}

/**
 * Export of one photo (tests/fixtures/photos/one-face.jpg upscaled to each size) through the
 * engine's exportPhoto op with each shipped aging model: decode + align + model + full-size
 * paste-back + encode, per target age (the photo decode is cached across ages, as in an export);
 * and one slider preview per age through ageFaces (the op behind the age slider: the aged crop and
 * the pasted face region). A model with the texture stage aligns the face at its size in the photo
 * (up to 512 px), so its rows show what full-resolution detail costs.
 */
async function runExportBench(a: BenchArgs) {
  const backend = await initEngineBackend('auto', null);
  const dir = mkdtempSync(join(tmpdir(), 'export-bench-'));
  const rows = [];
  try {
    for (const mp of a.megapixels ?? [1, 12]) {
      const src = resolve('tests', 'fixtures', 'photos', 'one-face.jpg');
      const meta = await sharp(src).rotate().metadata();
      const scale = Math.sqrt((mp * 1e6) / ((meta.width ?? 1) * (meta.height ?? 1)));
      const path = join(dir, `photo-${mp}mp.jpg`);
      await sharp(src).rotate().resize(Math.round((meta.width ?? 1) * scale)).jpeg({ quality: 92 }).toFile(path);
      const t0 = performance.now();
      const found = await analyzeOp({ path });
      const analyzeMs = performance.now() - t0;
      const faces = found.faces.map((f) => ({ landmarks: f.landmarks, sourceAge: f.age ?? 35 }));
      if (faces.length === 0) throw new Error(`no face found at ${mp} MP`);
      for (const model of ['prototype', 'age-cgan', 'cyclegan']) {
        const modelDir = resolve('assets', 'models', model);
        if (!existsSync(modelDir)) continue;
        const previewMs: number[] = [];
        let cropSize = 0;
        for (const age of [20, 50, 80, 50]) {
          const t = performance.now();
          const r = await ageFacesOp({ path, landmarks: faces[0].landmarks, sourceAge: faces[0].sourceAge, ages: [age], modelDir, output: 'both' }, new AbortController().signal);
          previewMs.push(Math.round(performance.now() - t));
          cropSize = r.resolution;
        }
        for (const format of ['jpeg', 'png'] as const) {
          const ms: number[] = [];
          let bytes = 0;
          for (const age of [20, 50, 80]) {
            const t = performance.now();
            const img = await exportPhotoOp({ path, faces, age, modelDir, format, quality: 92 }, new AbortController().signal);
            ms.push(Math.round(performance.now() - t));
            bytes = img.bytes.length;
          }
          rows.push({ megapixels: mp, width: found.width, height: found.height, model, cropSize, previewMs, format, analyzeMs: Math.round(analyzeMs), perAgeMs: ms, lastBytes: bytes });
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { backend: backend.backend, threads: backend.threads, rows };
}

/** Real photos: the committed fixtures that hold faces or none, plus ../shared/data/portraits when present. */
function realPhotoFiles(): string[] {
  const fixtures = resolve('tests', 'fixtures', 'photos');
  const portraits = resolve('..', 'shared', 'data', 'portraits');
  const pick = (dir: string, skip: string[]) =>
    existsSync(dir) ? readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f) && !skip.includes(f)).sort().map((f) => join(dir, f)) : [];
  return [...pick(fixtures, ['fake.jpg']), ...pick(portraits, [])];
}

/**
 * Library: the metadata-only import and 10,000-photo listing rows, plus import of real photos with
 * the engine's analyzer (analyzeOp: decode, detection, landmarks, age, descriptor; run in-process,
 * without the IPC hop to the engine process).
 */
async function runLibrarySection(a: BenchArgs) {
  const metadataOnly = await runLibraryBench({ photos: a.photos ?? 1000 });
  const backend = await initEngineBackend('auto', null);
  const realPhotos = await runRealPhotoImportBench({ files: realPhotoFiles(), analyzer: (bytes) => analyzeOp({ bytes }), rounds: a.runs ?? 2 });
  return { ...metadataOnly, realPhotos: { backend: backend.backend, threads: backend.threads, ...realPhotos } };
}

const load = () => loadavg().map((v) => +v.toFixed(2));

/** The default wasm thread count on this machine now and where it comes from (thread-choice.ts). */
function threadsSection() {
  const c = defaultThreadChoice();
  return { default: c.threads, startsAt: c.startThreads, source: c.source, summary: c.summary, physicalCores: physicalCores(), logicalCores: logicalCores(), loadAverage: load() };
}

/**
 * Child process of the import section (a fresh process per measurement: the backend starts once
 * per process, and its peak memory is the import's alone): imports `files` into a new library
 * through the engine's analyzer on `threads` fixed wasm threads and prints one JSON line.
 */
export async function importBenchChild(args: { files: string[]; threads: number; rounds: number }): Promise<void> {
  const backend = await initBackend({ threads: args.threads, adaptiveThreads: false });
  const c0 = process.cpuUsage();
  const r = await runRealPhotoImportBench({ files: args.files, analyzer: (bytes) => analyzeOp({ bytes }), rounds: args.rounds });
  const cpu = process.cpuUsage(c0);
  const line = {
    backend: backend.name,
    threads: backend.threads,
    ...r,
    cpuMsPerPhoto: Math.round((cpu.user + cpu.system) / 1000 / r.photos),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    loadAverage: load(),
  };
  process.stdout.write(`\n${JSON.stringify(line)}\n`);
}

function importChild(args: { files: string[]; threads: number; rounds: number }): Record<string, unknown> {
  const code = `require(${JSON.stringify(__filename)}).importBenchChild(${JSON.stringify(args)}).catch((e) => { console.error(e); process.exit(1); })`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 64 << 20 });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    return { threads: args.threads, error: `child failed (${r.status ?? r.signal}): ${(r.stderr ?? '').slice(-400)}` };
  }
}

/**
 * Import throughput with face analysis (library import of the real photos: decode, detection,
 * landmarks, age, descriptor, thumbnail, files, SQLite), at 1 wasm thread and at the default count,
 * each in its own process with the load average beside it; and the memory peak of importing one
 * 40 MP photo (one-face.jpg upscaled) in a fresh process. Target (issue 22): 3 photos/s on 2 cores.
 */
async function runImportSection(a: BenchArgs) {
  const files = realPhotoFiles();
  const choice = defaultThreadChoice();
  const counts = [...new Set([1, choice.threads])];
  const scaling = counts.map((threads) => importChild({ files, threads, rounds: a.runs ?? 2 }));
  const pps = (t: number) => Number(scaling.find((s) => s.threads === t)?.photosPerSecond ?? Number.NaN);
  const dir = mkdtempSync(join(tmpdir(), 'import-40mp-'));
  let memory40Mp: Record<string, unknown>;
  try {
    const src = resolve('tests', 'fixtures', 'photos', 'one-face.jpg');
    const meta = await sharp(src).rotate().metadata();
    const scale = Math.sqrt(40e6 / ((meta.width ?? 1) * (meta.height ?? 1)));
    const big = join(dir, 'photo-40mp.jpg');
    await sharp(src).rotate().resize(Math.round((meta.width ?? 1) * scale)).jpeg({ quality: 90 }).toFile(big);
    const r = importChild({ files: [big], threads: choice.threads, rounds: 1 });
    memory40Mp = { megapixels: r.meanMegapixels, faces: r.faces, importSeconds: r.importSeconds, peakRssMb: r.peakRssMb, threads: r.threads, loadAverage: r.loadAverage, ...(r.error ? { error: r.error } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    defaultThreads: choice.summary,
    photos: files.length * (a.runs ?? 2),
    target: { photosPerSecond: 3, on: '2 cores, ~1 MP portraits' },
    scaling,
    speedup: counts.length > 1 ? +(pps(choice.threads) / pps(1)).toFixed(2) : null,
    memory40Mp,
  };
}

export const SECTIONS: Record<string, (a: BenchArgs) => Promise<unknown>> = {
  // The default wasm thread count and its source (no backend started).
  threads: async () => threadsSection(),
  // tfjs engine vs tools/bench/torch-peer.py, alternating rounds at the same thread count (the default
  // one; torch skipped with a note when absent); each round carries both sides' load averages.
  engine: (a) => runEngineVsTorchBench({ runs: a.runs, threads: defaultThreadChoice().threads }),
  // Library import with face analysis at 1 and the default threads, and a 40 MP import's memory peak.
  import: runImportSection,
  face: (a) => runFacePipelineBench({ megapixels: a.megapixels }),
  library: runLibrarySection,
  cyclegan: (a) => runCycleGanBench({ runs: a.runs, resolutions: a.resolutions }),
  'age-cgan': (a) => runAgeCganBench({ runs: a.runs, resolutions: a.resolutions }),
  export: runExportBench,
  // The default fine-tune end to end on ../shared/data/portraits (about 15 minutes).
  finetune: () => runFinetuneBench({ log: (s) => console.error(s) }),
  // One fine-tune checkpoint write at 128 px next to one step (sets finetune.ts FINETUNE_CHECKPOINT).
  checkpoint: (a) => runCheckpointBench({ runs: a.runs }),
  // Base vs fine-tuned identity on one person's portraits (the shipped Age-cGAN, the default base),
  // and age MAE on validation faces when the packed dataset sits beside the project.
  'finetune-identity': () =>
    runFinetuneIdentityBench({
      baseDir: resolve('assets', 'models', 'age-cgan'),
      valData: existsSync(resolve('..', 'cache', 'utkface-128', 'meta.json')) ? `packed:${resolve('..', 'cache', 'utkface-128')}:val` : undefined,
      log: (s) => console.error(s),
    }),
  // 1,000 slider previews + 200 steps of each trainer: tensor count and RSS growth once warm.
  soak: () => runSoakBench({ log: (s) => console.error(s) }),
};

export async function runBench(args: BenchArgs, log: (s: string) => void): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of args.sections) {
    const run = SECTIONS[name];
    if (!run) {
      out[name] = { error: `unknown section; choose from ${Object.keys(SECTIONS).join(', ')}` };
      continue;
    }
    log(`bench: ${name}...`);
    const t0 = performance.now();
    try {
      out[name] = await run(args);
    } catch (e) {
      out[name] = { error: e instanceof Error ? e.message : String(e) };
    }
    log(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return out;
}
