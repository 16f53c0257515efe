/**
 * `npm run bench` sections (bundled by scripts/bench.mjs). Each section runs the benchmark
 * function its area exports and returns its JSON-able result; a failing section reports its
 * error and the others still run.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

export const SECTIONS: Record<string, (a: BenchArgs) => Promise<unknown>> = {
  // tfjs engine vs tools/bench/torch-peer.py, alternating rounds at the same thread count (torch skipped with a note when absent).
  engine: (a) => runEngineVsTorchBench({ runs: a.runs }),
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
