/**
 * evaluateModel: for every face and every target age, age the face, then ask the face-api nets
 * whether the output looks the target age and is still the same person (issue 8).
 *
 * Per face: the input crop at the model's resolution is measured once (estimate + descriptor);
 * each output [1, R, R, 3] is measured the same way (measure.ts) and compared with the target, with
 * the calibration reference of the target (calibration.ts) and with the input's descriptor.
 * The source age given to the model is the face's label.
 * Requires initBackend() and loadFaceModels() first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { descriptorDistance } from '../face/estimate';
import type { EvaluableModel } from '../core/trainer';
import { buildReferenceTable, readCachedTable, referenceMap, selectReferenceFaces, writeCachedTable, type ReferenceTable } from './calibration';
import { openEvalData, readFaceAt, spreadPick, type DataSpec, type EvalData } from './eval-data';
import { MEASURE_SIZE, floatsToBytes, measureCrop, toBytes } from './measure';
import { summarize, type InputRecord, type MetricsSummary, type OutputRecord } from './metrics';

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
}

async function referenceTable(data: EvalData, R: number, targets: readonly number[], window: number, perTarget: number, opts: EvaluateOptions): Promise<ReferenceTable & { cached: boolean; seconds: number }> {
  const t0 = performance.now();
  const key = JSON.stringify({ data: data.id, resolution: R, measure: MEASURE_SIZE, targets, window, perTarget, estimator: 'face-api ageGenderNet' });
  if (opts.cacheDir) {
    const hit = await readCachedTable(opts.cacheDir, key);
    if (hit) return { ...hit, cached: true, seconds: 0 };
  }
  const labels = data.pool.map((i) => data.source.ages[i]);
  const selection = selectReferenceFaces(labels, targets, window, perTarget);
  const unique = [...new Set([...selection.values()].flat())];
  const estimates = new Map<number, number>();
  for (const pos of unique) {
    opts.signal?.throwIfAborted();
    const x = await readFaceAt(data.source, data.pool[pos], R);
    estimates.set(pos, (await measureCrop(floatsToBytes(x), R)).age);
    opts.onProgress?.({ phase: 'reference', done: estimates.size, total: unique.length });
  }
  const perTarget2 = new Map([...selection].map(([t, list]) => [t, list.map((pos) => ({ label: labels[pos], estimate: estimates.get(pos)! }))]));
  const table = buildReferenceTable(perTarget2, window, key);
  if (opts.cacheDir) await writeCachedTable(opts.cacheDir, table);
  return { ...table, cached: false, seconds: (performance.now() - t0) / 1000 };
}

function isEvalData(d: EvaluateOptions['data']): d is EvalData {
  return typeof d === 'object' && 'source' in d;
}

export async function evaluateModel(opts: EvaluateOptions): Promise<EvalReport> {
  const t0 = performance.now();
  const targets = [...(opts.targets ?? DEFAULT_TARGETS)];
  if (targets.length === 0 || targets.some((t) => !Number.isFinite(t) || t < 0 || t > 120)) throw new Error('targets must be ages from 0 to 120');
  const model = opts.model;
  const R = model === 'no-change' ? (opts.resolution ?? 128) : (opts.resolution ?? model.resolution);
  const data = isEvalData(opts.data) ? opts.data : await openEvalData(opts.data);
  try {
    const reference = await referenceTable(data, R, targets, opts.referenceWindow ?? 5, opts.referencePerTarget ?? 100, opts);
    const faces = spreadPick(data.pool, opts.limit);
    const inputs: InputRecord[] = [];
    const outputs: OutputRecord[] = [];
    let skipped = 0;
    for (let k = 0; k < faces.length; k++) {
      opts.signal?.throwIfAborted();
      const label = data.source.ages[faces[k]];
      const x = await readFaceAt(data.source, faces[k], R);
      const inBytes = floatsToBytes(x);
      let input;
      try {
        input = await measureCrop(inBytes, R);
      } catch {
        skipped++;
        continue;
      }
      const face = inputs.length;
      inputs.push({ label, estimate: input.age });
      for (const target of targets) {
        if (model === 'no-change') {
          outputs.push({ face, target, estimate: input.age, distance: 0 });
          continue;
        }
        const xt = tf.tensor4d(x, [1, R, R, 3]);
        let outBytes: Uint8Array;
        try {
          const { output, reconstruction } = await model.age(xt, label, target, { signal: opts.signal });
          const shown = asShown(xt, output, reconstruction);
          output.dispose();
          reconstruction?.dispose();
          try {
            outBytes = await toBytes(shown);
          } finally {
            shown.dispose();
          }
        } finally {
          xt.dispose();
        }
        const m = await measureCrop(outBytes, R);
        outputs.push({ face, target, estimate: m.age, distance: descriptorDistance(input.descriptor, m.descriptor) });
      }
      opts.onProgress?.({ phase: 'faces', done: k + 1, total: faces.length });
    }
    if (inputs.length === 0) throw new Error('no face could be measured');
    const summary = summarize(inputs, outputs, referenceMap(reference));
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
    };
  } finally {
    if (!isEvalData(opts.data)) await data.close();
  }
}
