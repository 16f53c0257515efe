/**
 * Does fine-tuning keep a person's identity better than the base (issue 10's "done when")? On real
 * photos of one person (the portraits whose names start with `person`), held-out photos excluded
 * from training:
 *   1. detect + align; fine-tune the base with the default recipe (runFinetune) on the training
 *      photos (plus mirrored copies to reach `trainPhotos`);
 *   2. for every photo (training and held out), age it with the base and with the fine-tuned model
 *      to each target age and measure the face-api descriptor distance between input and output,
 *      exactly as the evaluation does (models/eval: the crop as shown, upsampled to 256);
 *   3. optionally, the age error of both models on general validation faces (evaluateModel), which
 *      must not get worse by more than 10%.
 * Not a test: it prints numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend, type BackendInfo, type BackendName } from '../../models/backend/select';
import { alignFace } from '../../models/face/align';
import { descriptorDistance } from '../../models/face/estimate';
import { asShown, evaluateModel, type EvaluableModel } from '../../models/eval/evaluate';
import { loadEvalModel } from '../../models/eval/load-model';
import { measureCrop, toBytes } from '../../models/eval/measure';
import { defaultFinetuneSteps, modelFolderKind, runFinetune } from '../../models/training/finetune';
import type { FinetuneSpec } from '../../models/training/finetune-spec';
import { FINETUNE_DEFAULTS } from '../../models/recipes/cyclegan/finetune';
import { AGE_CGAN_FINETUNE_DEFAULTS } from '../../models/recipes/age-cgan/finetune';
import { decodeMaybeMirrored, prepareCrops, shippedClassifier, type PreparedFace } from './finetune-bench';

export interface FinetuneIdentityBenchOptions {
  /** Base model folder (exported or checkpoint), CycleGAN or Age-cGAN (runFinetune dispatches by kind). */
  baseDir: string;
  photosDir?: string;
  /** File-name prefix of the person's photos (default 'obama-'). */
  person?: string;
  /** Photos (by file name) kept out of training. Default: the last of the person's photos. */
  holdOut?: string[];
  /** Training photos, mirrored copies filling up to this count. Default 10. */
  trainPhotos?: number;
  targets?: number[];
  spec?: Partial<Pick<FinetuneSpec, 'steps' | 'batch' | 'descriptorWeight' | 'lowResShare' | 'freezeEncoder' | 'identityWeight' | 'classifierDir' | 'teacherDir' | 'lr' | 'anchorWeight' | 'anchorPrior'>>;
  /** Keep the fine-tuned export here (default: removed with the temporary folder). */
  keepExport?: string;
  /**
   * Age-cGAN bases: also measure the base with its change scaled to each of these changeScales
   * (meta config.changeScale, the model's strength knob), a control for "does the fine-tune keep
   * identity better than simply ageing the person less?".
   */
  baseScales?: number[];
  /** e.g. packed:../cache/utkface-128:val; omitted: no age-error comparison. */
  valData?: string;
  valFaces?: number;
  backend?: BackendName;
  threads?: number;
  log?: (line: string) => void;
}

interface Row {
  photo: string;
  heldOut: boolean;
  target: number;
  distanceBase: number;
  distanceFineTuned: number;
  /** The judge's age estimate of the shown output: does the person still age as much? */
  ageBase: number;
  ageFineTuned: number;
}

/**
 * Descriptor distance input vs output for one face at each target (the evaluation's measurement)
 * and the judge's age estimate of the output.
 */
async function distances(model: EvaluableModel, face: PreparedFace, targets: number[]): Promise<Array<{ distance: number; age: number }>> {
  const img = await decodeMaybeMirrored(face.file, face.mirror);
  const aligned = alignFace(img, { landmarks: face.landmarks }, model.resolution);
  const R = aligned.size;
  const input = await measureCrop(aligned.data, R);
  const x = tf.tidy(() => tf.sub(tf.div(tf.tensor4d(aligned.data, [1, R, R, 3], 'int32').toFloat(), 127.5), 1)) as tf.Tensor4D;
  const out: Array<{ distance: number; age: number }> = [];
  try {
    for (const target of targets) {
      const { output, reconstruction } = await model.age(x, face.age, target);
      const shown = asShown(x, output, reconstruction);
      output.dispose();
      reconstruction?.dispose();
      const bytes = await toBytes(shown);
      shown.dispose();
      const got = await measureCrop(bytes, R);
      out.push({ distance: descriptorDistance(input.descriptor, got.descriptor), age: got.age });
    }
  } finally {
    x.dispose();
  }
  return out;
}

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);
const r3 = (v: number) => Math.round(v * 1000) / 1000;

export async function runFinetuneIdentityBench(opts: FinetuneIdentityBenchOptions) {
  const log = opts.log ?? (() => undefined);
  const photosDir = path.resolve(opts.photosDir ?? path.join('..', 'shared', 'data', 'portraits'));
  if (!existsSync(photosDir)) throw new Error(`finetune identity bench: no photos at ${photosDir} (it uses the real portraits of ../shared/data)`);
  if (!existsSync(path.join(opts.baseDir, 'meta.json'))) throw new Error(`finetune identity bench: ${opts.baseDir} is not a model folder`);
  const backend: BackendInfo = await initBackend({ backend: opts.backend ?? 'wasm', threads: opts.threads ?? 1 });
  const person = opts.person ?? 'obama-';
  const own = (await fs.readdir(photosDir)).filter((n) => n.startsWith(person) && /\.(jpe?g|png)$/i.test(n)).sort();
  const holdOut = new Set(opts.holdOut ?? own.slice(-1));
  const train = own.filter((n) => !holdOut.has(n));
  if (train.length === 0) throw new Error(`no training photos of ${person} in ${photosDir}`);
  const count = Math.max(train.length, opts.trainPhotos ?? 10);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'finetune-identity-'));
  try {
    const list = Array.from({ length: count }, (_, i) => ({ file: path.join(photosDir, train[i % train.length]), mirror: i >= train.length }));
    const prep = await prepareCrops(list, path.join(tmp, 'data'));
    const held = await prepareCrops([...holdOut].map((n) => ({ file: path.join(photosDir, n), mirror: false })), path.join(tmp, 'held'));
    log(`identity bench: ${prep.faces} training faces, ${held.faces} held out`);
    const steps = opts.spec?.steps ?? defaultFinetuneSteps(await modelFolderKind(opts.baseDir));
    const spec: FinetuneSpec = {
      baseDir: opts.baseDir,
      dataDir: path.join(tmp, 'data'),
      runDir: path.join(tmp, 'run'),
      exportDir: path.join(tmp, 'export'),
      steps,
      batch: 1,
      sampleEvery: 0,
      seed: 1,
      identityWeight: FINETUNE_DEFAULTS.identityWeight,
      classifierDir: shippedClassifier(),
      ...opts.spec,
    };
    const t0 = performance.now();
    let lastLog = 0;
    const result = await runFinetune(spec, {
      onProgress: (p) => {
        if (p.phase === 'training' && performance.now() - lastLog > 60_000) {
          lastLog = performance.now();
          log(`identity bench: step ${p.step}/${p.totalSteps}`);
        }
      },
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    if (!result.exported) throw new Error('the fine-tune did not complete');
    if (opts.keepExport) await fs.cp(result.exported, opts.keepExport, { recursive: true });
    const targets = opts.targets ?? [20, 45, 70];
    const base = (await loadEvalModel(opts.baseDir)).model as EvaluableModel;
    const tuned = (await loadEvalModel(result.exported)).model as EvaluableModel;
    const rows: Row[] = [];
    try {
      // Distinct photos only (mirrored copies are training filler, not more evidence).
      const faces = [...prep.prepared.filter((f) => !f.mirror).map((f) => ({ f, heldOut: false })), ...held.prepared.map((f) => ({ f, heldOut: true }))];
      for (const { f, heldOut } of faces) {
        const [b, t] = [await distances(base, f, targets), await distances(tuned, f, targets)];
        targets.forEach((target, k) =>
          rows.push({
            photo: path.basename(f.file),
            heldOut,
            target,
            distanceBase: r3(b[k].distance),
            distanceFineTuned: r3(t[k].distance),
            ageBase: r3(b[k].age),
            ageFineTuned: r3(t[k].age),
          }),
        );
      }
      let ageError: Record<string, unknown> | null = null;
      if (opts.valData) {
        const limit = opts.valFaces ?? 60;
        const cacheDir = path.join(tmp, 'eval-cache');
        const eb = await evaluateModel({ model: base, data: opts.valData, targets, limit, cacheDir, modelName: 'base' });
        const et = await evaluateModel({ model: tuned, data: opts.valData, targets, limit, cacheDir, modelName: 'fine-tuned' });
        ageError = {
          data: opts.valData,
          faces: eb.faces,
          maeBase: r3(eb.age.mae),
          maeFineTuned: r3(et.age.mae),
          maeCalibratedBase: eb.age.maeCalibrated === null ? null : r3(eb.age.maeCalibrated),
          maeCalibratedFineTuned: et.age.maeCalibrated === null ? null : r3(et.age.maeCalibrated),
          worseBy: r3(et.age.mae / eb.age.mae - 1),
          withinTenPercent: et.age.mae <= eb.age.mae * 1.1,
          // The same on the calibrated error (the evaluation's headline figure).
          ...(eb.age.maeCalibrated !== null && et.age.maeCalibrated !== null
            ? { calibratedWorseBy: r3(et.age.maeCalibrated / eb.age.maeCalibrated - 1), calibratedWithinTenPercent: et.age.maeCalibrated <= eb.age.maeCalibrated * 1.1 }
            : {}),
        };
      }
      const baseAtScales: Array<Record<string, unknown>> = [];
      for (const scale of opts.baseScales ?? []) {
        const dir = path.join(tmp, `base-scale-${scale}`);
        await fs.cp(opts.baseDir, dir, { recursive: true });
        const meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as { config: Record<string, unknown> };
        meta.config.changeScale = scale;
        await fs.writeFile(path.join(dir, 'meta.json'), JSON.stringify(meta));
        const scaled = (await loadEvalModel(dir)).model as EvaluableModel;
        const got: Array<{ heldOut: boolean; target: number; distance: number; age: number }> = [];
        try {
          for (const { f, heldOut } of faces) (await distances(scaled, f, targets)).forEach((m, k) => got.push({ heldOut, target: targets[k], ...m }));
        } finally {
          scaled.dispose();
        }
        baseAtScales.push({
          changeScale: scale,
          meanDistance: {
            trainingPhotos: r3(mean(got.filter((g) => !g.heldOut).map((g) => g.distance))),
            heldOutPhotos: r3(mean(got.filter((g) => g.heldOut).map((g) => g.distance))),
          },
          personAgeByTarget: targets.map((target) => ({ target, age: r3(mean(got.filter((g) => g.target === target).map((g) => g.age))) })),
        });
      }
      const pick = (heldOut: boolean, k: 'distanceBase' | 'distanceFineTuned') => r3(mean(rows.filter((r) => r.heldOut === heldOut).map((r) => r[k])));
      return {
        backend,
        base: opts.baseDir,
        person,
        trainPhotos: train,
        heldOut: [...holdOut],
        trainFaces: prep.faces,
        recipe: {
          kind: result.kind,
          steps,
          batch: spec.batch,
          resolution: tuned.resolution,
          frozenVars: result.frozenVars,
          ageClassifier: result.ageClassifier,
          ...(result.teacher === undefined ? {} : { teacher: result.teacher }),
          descriptorWeight: spec.descriptorWeight ?? (result.kind === 'age-cgan' ? AGE_CGAN_FINETUNE_DEFAULTS.descriptorWeight : FINETUNE_DEFAULTS.descriptorWeight),
          ...opts.spec,
        },
        trainSeconds: Math.round(trainSeconds),
        targets,
        meanDistance: {
          trainingPhotos: { base: pick(false, 'distanceBase'), fineTuned: pick(false, 'distanceFineTuned') },
          heldOutPhotos: { base: pick(true, 'distanceBase'), fineTuned: pick(true, 'distanceFineTuned') },
        },
        // Mean estimated age of the person's outputs (all photos) per target: a fine-tune that
        // keeps identity by no longer ageing the person would show here.
        personAgeByTarget: targets.map((target) => ({
          target,
          base: r3(mean(rows.filter((r) => r.target === target).map((r) => r.ageBase))),
          fineTuned: r3(mean(rows.filter((r) => r.target === target).map((r) => r.ageFineTuned))),
        })),
        ...(baseAtScales.length ? { baseAtScales } : {}),
        rows,
        ageError,
        loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
      };
    } finally {
      base.dispose();
      tuned.dispose();
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
