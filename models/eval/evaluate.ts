/**
 * evaluateModel: for every face and every target age, age the face, then ask the face-api nets
 * whether the output looks the target age and is still the same person (issue 8).
 *
 * Per face: the input crop at the model's resolution is measured once (estimate + descriptor);
 * each output [1, R, R, 3] is measured the same way (measure.ts) and compared with the target, with
 * the calibration reference of the target (calibration.ts) and with the input's descriptor.
 * The source age given to the model is the face's label.
 * Every judge (judges/judge.ts) measures the same crops; face-api's numbers feed the summary of
 * issue 8 unchanged, and each judge gets its own summary (judge-metrics.ts) with its own reference.
 * Requires initBackend() and loadFaceModels() first (and the judges' own loading).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EvaluableModel } from '../core/trainer';
import { buildReferenceTable, readCachedTable, referenceMap, selectReferenceFaces, writeCachedTable, type ReferenceTable } from './calibration';
import { openEvalData, readFaceAt, spreadPick, type DataSpec, type EvalData } from './eval-data';
import { issue19Goals, summarizeJudge, type Issue19Goals, type JudgeInputRecord, type JudgeOutputRecord, type JudgeSummary } from './judge-metrics';
import { measureWithJudges, type JudgedCrop } from './judged-measure';
import { faceApiJudge } from './judges/face-api-judge';
import type { IdentityVerdict, Judge } from './judges/judge';
import { MEASURE_SIZE, floatsToBytes, toBytes } from './measure';
import { summarize, type InputRecord, type MetricsSummary, type OutputRecord } from './metrics';
import { PairsWriter } from './save-pairs';
import { meanShapeAt, procrustesDistance, shapeProgress, summarizeShape, type ShapeGroup, type ShapeMeans } from './shape-metric';

export const DEFAULT_TARGETS: readonly number[] = [20, 30, 40, 50, 60, 70];

/**
 * What the studio shows for one face crop x [1, R, R, 3]: the output when the model reproduces its
 * input (reconstruction null), else x + (output - reconstruction), clipped; model outputs at
 * another size are resized to R first.
 */
export function asShown(x: tf.Tensor4D, output: tf.Tensor4D, reconstruction: tf.Tensor4D | null): tf.Tensor4D {
  return tf.tidy(() => {
    const R = x.shape[1];
    const fit = (t: tf.Tensor4D) => (t.shape[1] === R && t.shape[2] === x.shape[2] ? t : tf.image.resizeBilinear(t, [R, x.shape[2]], true));
    if (!reconstruction) return fit(output).clone();
    return tf.clipByValue(tf.add(x, tf.sub(fit(output), fit(reconstruction))), -1, 1) as tf.Tensor4D;
  });
}

/** Anything with AgingModel's inference surface (the prototype declares its own kind). */
export type { EvaluableModel } from '../core/trainer';

export interface EvalProgress {
  phase: 'reference' | 'faces';
  done: number;
  total: number;
}

export interface EvaluateOptions {
  /** A model, or 'no-change' (the output is the unchanged input, at `resolution`). */
  model: EvaluableModel | 'no-change';
  /** A data spec (see eval-data.ts) or already opened data. */
  data: string | DataSpec | EvalData;
  targets?: readonly number[];
  /** Faces to evaluate, spread evenly over the split. Default all. */
  limit?: number;
  /**
   * Size of the crops faces are measured at (default 128 for 'no-change', else the model's own).
   * A model working at a lower resolution is run as the studio runs it: the face is given at this
   * size, and what is measured is input + (output - reconstruction), i.e. only the model's change
   * is transferred onto the sharper input (as the paste-back does on the photo).
   */
  resolution?: number;
  /** Calibration window in years (default 5) and faces per target (default 100). */
  referenceWindow?: number;
  referencePerTarget?: number;
  /** Folder for the cached reference table (none: computed every time). */
  cacheDir?: string;
  /** Name of the model in the report. */
  modelName?: string;
  /** The judges (default face-api alone); face-api must be among them. */
  judges?: readonly Judge[];
  /** Mean landmark shapes by age: measure how far outputs moved toward the target's shape. */
  shapeMeans?: ShapeMeans;
  /** Write every judged input and output as PNG plus pairs.csv here (save-pairs.ts). */
  saveDir?: string;
  onProgress?: (p: EvalProgress) => void;
  signal?: AbortSignal;
}

export interface EvalReport extends MetricsSummary {
  model: string;
  data: string;
  /** Resolution the model ran at, and the size its crops were upsampled to for measurement. */
  resolution: number;
  /** The model's own working resolution (null for no-change); below `resolution`, see asShown. */
  modelResolution: number | null;
  measureSize: number;
  targets: number[];
  faces: number;
  outputs: number;
  seconds: number;
  reference: ReferenceTable & { cached: boolean; seconds: number };
  /** Faces whose input the estimator could not measure are skipped and counted here. */
  skipped: number;
  /** Each judge's summary (issue 19) and its reference table. */
  judges: Record<string, JudgeSummary>;
  references: Record<string, ReferenceTable & { cached: boolean; seconds: number }>;
  /** Landmark shape progress toward the target's mean shape (null without shapeMeans). */
  shape: { overall: ShapeGroup; byTarget: Record<string, ShapeGroup> } | null;
  goals19: Issue19Goals;
  /** Where --save wrote the faces and pairs.csv. */
  saved: { dir: string; pairs: number } | null;
}

type RefTable = ReferenceTable & { cached: boolean; seconds: number };

/** Each judge's reference table; faces are measured once for every judge whose table is not cached. */
async function referenceTables(data: EvalData, R: number, targets: readonly number[], window: number, perTarget: number, judges: readonly Judge[], opts: EvaluateOptions): Promise<Record<string, RefTable>> {
  const t0 = performance.now();
  const keyOf = (j: Judge) => JSON.stringify({ data: data.id, resolution: R, measure: MEASURE_SIZE, targets, window, perTarget, estimator: j.key });
  const out: Record<string, RefTable> = {};
  const todo: Judge[] = [];
  for (const j of judges) {
    const hit = opts.cacheDir ? await readCachedTable(opts.cacheDir, keyOf(j)) : null;
    if (hit) out[j.name] = { ...hit, cached: true, seconds: 0 };
    else todo.push(j);
  }
  if (todo.length === 0) return out;
  const labels = data.pool.map((i) => data.source.ages[i]);
  const selection = selectReferenceFaces(labels, targets, window, perTarget);
  const unique = [...new Set([...selection.values()].flat())];
  const estimates = new Map<number, Record<string, number>>();
  for (const pos of unique) {
    opts.signal?.throwIfAborted();
    const x = await readFaceAt(data.source, data.pool[pos], R);
    const m = await measureWithJudges(floatsToBytes(x), R, todo);
    estimates.set(pos, Object.fromEntries(todo.map((j) => [j.name, m.byJudge[j.name].age])));
    opts.onProgress?.({ phase: 'reference', done: estimates.size, total: unique.length });
  }
  for (const j of todo) {
    const perTarget2 = new Map([...selection].map(([t, list]) => [t, list.map((pos) => ({ label: labels[pos], estimate: estimates.get(pos)![j.name] }))]));
    const table = buildReferenceTable(perTarget2, window, keyOf(j));
    if (opts.cacheDir) await writeCachedTable(opts.cacheDir, table);
    out[j.name] = { ...table, cached: false, seconds: (performance.now() - t0) / 1000 };
  }
  return out;
}

function isEvalData(d: EvaluateOptions['data']): d is EvalData {
  return typeof d === 'object' && 'source' in d;
}

export async function evaluateModel(opts: EvaluateOptions): Promise<EvalReport> {
  const t0 = performance.now();
  const targets = [...(opts.targets ?? DEFAULT_TARGETS)];
  if (targets.length === 0 || targets.some((t) => !Number.isFinite(t) || t < 0 || t > 120)) throw new Error('targets must be ages from 0 to 120');
  const judges = opts.judges ?? [faceApiJudge];
  if (!judges.some((j) => j.name === faceApiJudge.name)) throw new Error('the face-api judge must be among the judges');
  if (new Set(judges.map((j) => j.name)).size !== judges.length) throw new Error('judge names must be unique');
  const model = opts.model;
  const R = model === 'no-change' ? (opts.resolution ?? 128) : (opts.resolution ?? model.resolution);
  const data = isEvalData(opts.data) ? opts.data : await openEvalData(opts.data);
  const shapes = opts.shapeMeans;
  try {
    const references = await referenceTables(data, R, targets, opts.referenceWindow ?? 5, opts.referencePerTarget ?? 100, judges, opts);
    const reference = references[faceApiJudge.name];
    const faces = spreadPick(data.pool, opts.limit);
    const saver = opts.saveDir ? await PairsWriter.open(opts.saveDir) : null;
    const inputs: InputRecord[] = [];
    const outputs: OutputRecord[] = [];
    const jIn: Record<string, JudgeInputRecord[]> = Object.fromEntries(judges.map((j) => [j.name, []]));
    const jOut: Record<string, JudgeOutputRecord[]> = Object.fromEntries(judges.map((j) => [j.name, []]));
    const shapeRows: Array<{ target: number; progress: number | null; inputDistance: number; outputDistance: number }> = [];
    let skipped = 0;
    for (let k = 0; k < faces.length; k++) {
      opts.signal?.throwIfAborted();
      const label = data.source.ages[faces[k]];
      const x = await readFaceAt(data.source, faces[k], R);
      const inBytes = floatsToBytes(x);
      let input: JudgedCrop;
      try {
        input = await measureWithJudges(inBytes, R, judges, { landmarks: !!shapes });
      } catch {
        skipped++;
        continue;
      }
      const face = inputs.length;
      const inFile = saver ? await saver.writeFace(`face-${String(face).padStart(4, '0')}-input`, inBytes, R) : '';
      inputs.push({ label, estimate: input.byJudge[faceApiJudge.name].age });
      for (const j of judges) jIn[j.name].push({ label, estimate: input.byJudge[j.name].age });
      for (const target of targets) {
        let out: JudgedCrop;
        let outBytes = inBytes;
        if (model === 'no-change') out = input;
        else {
          outBytes = await ageOnce(model, x, R, label, target, opts.signal);
          out = await measureWithJudges(outBytes, R, judges, { landmarks: !!shapes });
        }
        const verdicts: Record<string, IdentityVerdict> = {};
        for (const j of judges) {
          verdicts[j.name] = j.compare(input.byJudge[j.name], out.byJudge[j.name]);
          jOut[j.name].push({ face, target, estimate: out.byJudge[j.name].age, verdict: verdicts[j.name] });
        }
        outputs.push({ face, target, estimate: out.byJudge[faceApiJudge.name].age, distance: verdicts[faceApiJudge.name].distances[faceApiJudge.name] });
        if (shapes && input.landmarks && out.landmarks) {
          const m = meanShapeAt(shapes, target);
          shapeRows.push({ target, progress: shapeProgress(input.landmarks, out.landmarks, m), inputDistance: procrustesDistance(input.landmarks, m), outputDistance: procrustesDistance(out.landmarks, m) });
        }
        if (saver) {
          const outFile = await saver.writeFace(`face-${String(face).padStart(4, '0')}-to-${target}`, outBytes, R);
          saver.add(inFile, outFile, target, label, input.byJudge, out.byJudge, verdicts);
        }
      }
      opts.onProgress?.({ phase: 'faces', done: k + 1, total: faces.length });
    }
    if (inputs.length === 0) throw new Error('no face could be measured');
    if (saver) await saver.close();
    const summary = summarize(inputs, outputs, referenceMap(reference));
    const judgeSummaries: Record<string, JudgeSummary> = {};
    for (const j of judges) judgeSummaries[j.name] = summarizeJudge(j, jIn[j.name], jOut[j.name], referenceMap(references[j.name]));
    const shape = shapes ? summarizeShape(shapeRows) : null;
    return {
      model: opts.modelName ?? (model === 'no-change' ? 'no-change' : model.kind),
      data: data.description,
      resolution: R,
      modelResolution: model === 'no-change' ? null : model.resolution,
      measureSize: MEASURE_SIZE,
      targets,
      faces: inputs.length,
      outputs: outputs.length,
      seconds: (performance.now() - t0) / 1000,
      reference,
      skipped,
      ...summary,
      judges: judgeSummaries,
      references,
      shape,
      goals19: issue19Goals(judgeSummaries, summary.age.maeCalibrated, shape?.byTarget ?? null),
      saved: saver ? { dir: saver.dir, pairs: saver.count } : null,
    };
  } finally {
    if (!isEvalData(opts.data)) await data.close();
  }
}

/** The model's output for face x (floats at R) as shown (asShown), 8-bit RGB at R. */
async function ageOnce(model: EvaluableModel, x: Float32Array, R: number, label: number, target: number, signal?: AbortSignal): Promise<Uint8Array> {
  const xt = tf.tensor4d(x, [1, R, R, 3]);
  try {
    const { output, reconstruction } = await model.age(xt, label, target, { signal });
    const shown = asShown(xt, output, reconstruction);
    output.dispose();
    reconstruction?.dispose();
    try {
      return await toBytes(shown);
    } finally {
      shown.dispose();
    }
  } finally {
    xt.dispose();
  }
}
