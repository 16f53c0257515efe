/**
 * Benchmark of the default fine-tune (issue 10: 20 photos at 128 px must finish within 15 minutes
 * on 2 CPU cores with wasm): end to end, as the studio runs it, on real photos:
 *   1. decode + detect + 68 landmarks + estimates of each photo, largest face aligned to a 128 px
 *      crop (the library does this at import and the fine-tune's data step cuts the crop);
 *   2. runFinetune with FINETUNE_DEFAULTS (models/training/finetune.ts) on those crops.
 * Also measures what the identity-descriptor loss adds to a step (a few steps with and without).
 * Photos: ../shared/data/portraits (18 real photos; mirrored copies make up 20). The base: the
 * given folder (CycleGAN or Age-cGAN), else the shipped default base assets/models/age-cgan, else
 * a freshly initialised default 128 px CycleGAN (no shipped weights found). Not a test: it prints numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend, type BackendInfo, type BackendName } from '../../models/backend/select';
import { analyzePhoto } from '../../models/face/analyze';
import { alignFace } from '../../models/face/align';
import { loadFaceModels } from '../../models/face/face-models';
import { decodeImage, encodeImage } from '../../models/image/image-io';
import { defaultCycleGanConfig } from '../../models/recipes/cyclegan/config';
import { createCycleGanTrainer, exportCycleGanModel } from '../../models/recipes/cyclegan/export';
import { readCycleGanMeta } from '../../models/recipes/cyclegan/checkpoint';
import { CycleGanTrainer } from '../../models/recipes/cyclegan/trainer';
import { defaultFinetuneSteps, modelFolderKind, runFinetune } from '../../models/training/finetune';
import type { FinetuneSpec } from '../../models/training/finetune-spec';
import { FINETUNE_DEFAULTS, finetuneConfig, freezeGeneratorEncoder } from '../../models/recipes/cyclegan/finetune';
import { descriptorLoss, loadRecognizer } from '../../models/face/identity-loss';
import { AGE_CGAN_FINETUNE_DEFAULTS } from '../../models/recipes/age-cgan/finetune';
import { median } from '../../shared/stats';

/** config.resolution of a model folder's meta.json. */
async function modelResolution(dir: string): Promise<number> {
  const meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as { config?: { resolution?: number } };
  return meta.config?.resolution ?? Number.NaN;
}

export interface FinetuneBenchOptions {
  /** Folder of photos (default ../shared/data/portraits from the working directory). */
  photosDir?: string;
  photos?: number;
  /** Base model folder (exported or checkpoint), CycleGAN or Age-cGAN. */
  baseDir?: string;
  backend?: BackendName;
  threads?: number;
  /** Overrides of the recipe (default FINETUNE_DEFAULTS). */
  spec?: Partial<Pick<FinetuneSpec, 'steps' | 'descriptorWeight' | 'lowResShare' | 'freezeEncoder' | 'classifierDir'>>;
  /** Steps timed with and without the descriptor loss (0 skips that measurement). */
  costSteps?: number;
  log?: (line: string) => void;
}

const BUDGET_SECONDS = 15 * 60;

/**
 * CPU seconds this process used since `from` (user + system). With one wasm thread the work runs
 * on one core, so on a machine whose other core is free (the 2 idle cores) wall time is
 * about this; on a shared, loaded machine the wall time only says how busy the others were.
 */
function cpuSecondsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return Math.round((d.user + d.system) / 1e5) / 10;
}

export async function photoList(dir: string, count: number): Promise<Array<{ file: string; mirror: boolean }>> {
  const names = (await fs.readdir(dir)).filter((n) => /\.(jpe?g|png|webp)$/i.test(n)).sort();
  if (names.length === 0) throw new Error(`${dir} holds no photos`);
  return Array.from({ length: count }, (_, i) => ({ file: path.join(dir, names[i % names.length]), mirror: i >= names.length }));
}

/** The shipped frozen age classifier (the studio's training child uses the same one), if present. */
export function shippedClassifier(): string | null {
  const dir = path.resolve('assets', 'models', 'age-classifier');
  return existsSync(path.join(dir, 'age-classifier-config.json')) ? dir : null;
}

export interface PreparedFace {
  file: string;
  mirror: boolean;
  landmarks: Array<{ x: number; y: number }>;
  age: number;
}

/** Decodes a photo, mirrored when asked. */
export async function decodeMaybeMirrored(file: string, mirror: boolean) {
  const img = await decodeImage(file);
  if (mirror) {
    const w = img.width;
    const row = w * 3;
    const flipped = new Uint8Array(img.data.length);
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < w; x++) flipped.set(img.data.subarray(y * row + x * 3, y * row + x * 3 + 3), y * row + (w - 1 - x) * 3);
    }
    img.data = flipped;
  }
  return img;
}

/** 1. Detection + alignment of every photo into dataDir (crops + labels.csv), timed. */
export async function prepareCrops(list: Array<{ file: string; mirror: boolean }>, dataDir: string) {
  await fs.mkdir(dataDir, { recursive: true });
  const rows = ['file,age'];
  const skipped: string[] = [];
  const prepared: PreparedFace[] = [];
  const t0 = performance.now();
  await loadFaceModels();
  for (const [i, p] of list.entries()) {
    // A mirrored copy: same person, a different image (what a 19th and 20th photo would be).
    const img = await decodeMaybeMirrored(p.file, p.mirror);
    const faces = await analyzePhoto(img, { faces: 'largest' }).catch(() => []);
    if (faces.length === 0) {
      skipped.push(path.basename(p.file));
      continue;
    }
    const crop = alignFace(img, faces[0], 128);
    const name = `face-${String(i).padStart(2, '0')}.png`;
    await fs.writeFile(path.join(dataDir, name), await encodeImage({ width: 128, height: 128, data: crop.data }, { format: 'png' }));
    rows.push(`${name},${Math.round(faces[0].age)}`);
    prepared.push({ file: p.file, mirror: p.mirror, landmarks: faces[0].landmarks, age: faces[0].age });
  }
  await fs.writeFile(path.join(dataDir, 'labels.csv'), rows.join('\n') + '\n');
  return { seconds: (performance.now() - t0) / 1000, faces: rows.length - 1, skipped, prepared };
}

async function baseModel(opts: FinetuneBenchOptions, tmp: string): Promise<{ dir: string; source: string }> {
  const shipped = path.resolve('assets', 'models', 'age-cgan');
  for (const dir of [opts.baseDir, shipped]) if (dir && existsSync(path.join(dir, 'meta.json'))) return { dir, source: dir };
  const t = createCycleGanTrainer(defaultCycleGanConfig(128, { totalSteps: 1000 }));
  const dir = path.join(tmp, 'fresh-base');
  await exportCycleGanModel(t, dir);
  t.dispose();
  return { dir, source: 'freshly initialised default 128 px CycleGAN (no trained base found: same network, so the same time per step)' };
}

/** Median wall and CPU ms per step at the base's full resolution, encoder frozen. */
interface DescriptorCost {
  resolution: number;
  withoutMs: number;
  withMs: number;
  withoutCpuMs: number;
  withCpuMs: number;
}

/** ms per step at the base's resolution with and without the descriptor loss (frozen encoder). */
async function descriptorCost(baseDir: string, steps: number): Promise<DescriptorCost> {
  const meta = await readCycleGanMeta(baseDir);
  const config = { ...finetuneConfig(meta.config, { steps: 100, batch: 1, identityWeight: 1, seed: 1, lowResShare: 0 }) };
  const recognizer = await loadRecognizer();
  const r = config.resolution;
  const x = tf.randomUniform([1, r, r, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
  const time = async (t: CycleGanTrainer) => {
    freezeGeneratorEncoder(t);
    const ms: number[] = [];
    const cpu: number[] = [];
    try {
      for (let i = 0; i <= steps; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await t.trainStep({ images: x, ages: Float32Array.of(i % 2 ? 70 : 24) }, false);
        // The first step also creates Adam's moments: not timed.
        if (i > 0) {
          ms.push(performance.now() - t0);
          cpu.push(cpuSecondsSince(c0) * 1000);
        }
      }
    } finally {
      t.dispose();
    }
    return { ms: Math.round(median(ms)), cpuMs: Math.round(median(cpu)) };
  };
  try {
    const without = await time(new CycleGanTrainer(config));
    const withLoss = await time(new CycleGanTrainer(config, { extraGeneratorLoss: descriptorLoss(recognizer, FINETUNE_DEFAULTS.descriptorWeight) }));
    return { resolution: r, withoutMs: without.ms, withMs: withLoss.ms, withoutCpuMs: without.cpuMs, withCpuMs: withLoss.cpuMs };
  } finally {
    x.dispose();
    recognizer.dispose();
  }
}

export interface FinetuneBenchResult {
  backend: BackendInfo;
  photosDir: string;
  photos: number;
  faces: number;
  skipped: string[];
  base: string;
  recipe: Record<string, unknown>;
  detectAlignSeconds: number;
  trainSeconds: number;
  totalSeconds: number;
  /** Process CPU time: the wall time this would take with a free core (see cpuSecondsSince). */
  cpuSeconds: { detectAlign: number; train: number; total: number };
  budgetSeconds: number;
  withinBudget: boolean;
  withinBudgetOnIdleCores: boolean;
  msPerStep: { lowRes: number | null; fullRes: number | null };
  cpuMsPerStep: { lowRes: number | null; fullRes: number | null };
  descriptorLossCost: DescriptorCost | null;
  loadAverage: number[];
}

export async function runFinetuneBench(opts: FinetuneBenchOptions = {}): Promise<FinetuneBenchResult> {
  const log = opts.log ?? (() => undefined);
  const photosDir = path.resolve(opts.photosDir ?? path.join('..', 'shared', 'data', 'portraits'));
  if (!existsSync(photosDir)) {
    throw new Error(`finetune bench: no photos at ${photosDir} (it uses the real portraits of ../shared/data; pass photosDir)`);
  }
  const backend = await initBackend({ backend: opts.backend ?? 'wasm', threads: opts.threads ?? 1 });
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'finetune-bench-'));
  try {
    const list = await photoList(photosDir, opts.photos ?? 20);
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const prep = await prepareCrops(list, path.join(tmp, 'data'));
    const detectCpu = cpuSecondsSince(cpuStart);
    log(`finetune bench: ${prep.faces} faces from ${list.length} photos in ${prep.seconds.toFixed(1)} s`);
    const base = await baseModel(opts, tmp);
    const steps = opts.spec?.steps ?? defaultFinetuneSteps(await modelFolderKind(base.dir));
    const spec: FinetuneSpec = {
      baseDir: base.dir,
      dataDir: path.join(tmp, 'data'),
      runDir: path.join(tmp, 'run'),
      exportDir: path.join(tmp, 'export'),
      steps,
      batch: FINETUNE_DEFAULTS.batch,
      sampleEvery: Math.max(1, Math.round(steps / 5)),
      seed: 1,
      identityWeight: FINETUNE_DEFAULTS.identityWeight,
      classifierDir: shippedClassifier(),
      ...opts.spec,
    };
    const stepTimes = new Map<number, number>();
    const stepCpu = new Map<number, number>();
    const t0 = performance.now();
    const cpuTrain = process.cpuUsage();
    let lastLog = 0;
    const result = await runFinetune(spec, {
      onProgress: (p) => {
        if (p.phase !== 'training') return;
        stepTimes.set(p.step, performance.now());
        stepCpu.set(p.step, cpuSecondsSince(cpuTrain) * 1000);
        if (performance.now() - lastLog > 30_000) {
          lastLog = performance.now();
          log(`finetune bench: step ${p.step}/${p.totalSteps}, ${p.stepsPerSecond.toFixed(2)} steps/s`);
        }
      },
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    const totalSeconds = (performance.now() - started) / 1000;
    const trainCpu = cpuSecondsSince(cpuTrain);
    const totalCpu = cpuSecondsSince(cpuStart);
    // An Age-cGAN base trains at its one resolution; a CycleGAN's schedule may start at half.
    const ageCgan = result.kind === 'age-cgan';
    const config = ageCgan ? null : finetuneConfig((await readCycleGanMeta(base.dir)).config, spec);
    const switchStep = config?.resolutionSchedule[0]?.untilStep ?? 0;
    // Mean ms per step from logged step times on each side of the resolution switch.
    const rate = (from: number, to: number, times = stepTimes) => {
      const pts = [...times].filter(([s]) => s >= from && s <= to).sort((a, b) => a[0] - b[0]);
      if (pts.length < 2) return null;
      const [s0, t0s] = pts[0];
      const [s1, t1s] = pts[pts.length - 1];
      return s1 > s0 ? Math.round((t1s - t0s) / (s1 - s0)) : null;
    };
    const costSteps = opts.costSteps ?? 3;
    // The with/without comparison is the CycleGAN trainer's (the Age-cGAN's G_id shows in its step time).
    const cost = costSteps > 0 && !ageCgan ? await descriptorCost(base.dir, costSteps) : null;
    return {
      backend,
      photosDir,
      photos: list.length,
      faces: prep.faces,
      skipped: prep.skipped,
      base: base.source,
      recipe: {
        steps,
        kind: result.kind,
        resolution: config?.resolution ?? (await modelResolution(base.dir)),
        resolutionSchedule: config?.resolutionSchedule ?? [],
        descriptorWeight: spec.descriptorWeight ?? (ageCgan ? AGE_CGAN_FINETUNE_DEFAULTS.descriptorWeight : FINETUNE_DEFAULTS.descriptorWeight),
        freezeEncoder: spec.freezeEncoder ?? (ageCgan ? AGE_CGAN_FINETUNE_DEFAULTS.freezeEncoder : FINETUNE_DEFAULTS.freezeEncoder),
        frozenVars: result.frozenVars,
        ageClassifier: result.ageClassifier,
        trainableVars: result.trainableVars,
        sampleEvery: spec.sampleEvery,
        completed: result.completed,
      },
      detectAlignSeconds: Math.round(prep.seconds * 10) / 10,
      trainSeconds: Math.round(trainSeconds),
      totalSeconds: Math.round(totalSeconds),
      cpuSeconds: { detectAlign: detectCpu, train: trainCpu, total: totalCpu },
      budgetSeconds: BUDGET_SECONDS,
      withinBudget: totalSeconds <= BUDGET_SECONDS,
      withinBudgetOnIdleCores: totalCpu <= BUDGET_SECONDS,
      msPerStep: { lowRes: switchStep > 0 ? rate(1, switchStep - 1) : null, fullRes: rate(switchStep + 1, steps) },
      cpuMsPerStep: { lowRes: switchStep > 0 ? rate(1, switchStep - 1, stepCpu) : null, fullRes: rate(switchStep + 1, steps, stepCpu) },
      descriptorLossCost: cost,
      loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
