/**
 * The fine-tune recipe for an Age-cGAN base (the shipped default, assets/models/age-cgan) on one
 * person's aligned faces (issue 10). runFinetune (finetune.ts) dispatches here when the base
 * folder's meta.json says kind 'age-cgan'; progress, pause/resume/cancel and resumable checkpoints
 * come from runTraining as for the CycleGAN. The trainer (recipes/age-cgan/finetune.ts) adapts G and E
 * with reconstruction, the base's teacher term and the identity-descriptor loss; the result is
 * exported in the base's own format (G + E float16 + meta.json, config incl. changeScale kept), so
 * the studio loads it as an Age-cGAN model. The base folder is only read.
 */
import * as tf from '@tensorflow/tfjs-core';
import { exportAgeCganModel } from '../recipes/age-cgan/export';
import { loadInferenceNets, readCheckpoint } from '../recipes/age-cgan/checkpoint';
import { resolveAgeCganConfig } from '../recipes/age-cgan/config';
import {
  AGE_CGAN_FINETUNE_DEFAULTS,
  AGE_CGAN_TEACHER_OPTIONS,
  AgeCganFinetuner,
  type AgeCganFinetuneParts,
  type AgeCganFinetuneSettings,
} from '../recipes/age-cgan/finetune';
import { loadPrototypeModel } from '../recipes/prototype/checkpoint';
import type { PrototypeAgingModel } from '../recipes/prototype/model';
import type { FaceRecognizer } from '../face/identity-net';
import { loadRecognizer } from '../face/identity-loss';
import { FaceDataset } from '../data/face-dataset';
import { openFaceSource } from '../data/packed-source';
import { latestCheckpoint } from '../core/checkpoint';
import { shippedPrototypeDir } from '../core/shipped-assets';
import { runTraining } from './run-training';
import { finetuneLoopOptions, finishFinetune } from './finetune-loop';
import type { FinetuneHooks, FinetuneResult, FinetuneSpec } from './finetune-spec';

export function ageCganFinetuneSettings(spec: FinetuneSpec, baseTeacherWeight: number): AgeCganFinetuneSettings {
  const d = AGE_CGAN_FINETUNE_DEFAULTS;
  return {
    lr: spec.lr ?? d.lr,
    reconstructionWeight: d.reconstructionWeight * spec.identityWeight,
    // The base's own weight (10 for the shipped model); a base trained without a teacher: 10.
    teacherWeight: baseTeacherWeight > 0 ? baseTeacherWeight : 10,
    descriptorWeight: spec.descriptorWeight ?? d.descriptorWeight,
    freezeEncoder: spec.freezeEncoder ?? d.freezeEncoder,
    colourJitter: d.colourJitter,
    anchorWeight: spec.anchorWeight ?? d.anchorWeight,
    anchorFaces: d.anchorFaces,
    anchorPrior: spec.anchorPrior ?? d.anchorPrior,
    seed: spec.seed,
  };
}

/**
 * The anchor of the fine-tune (age-cgan-finetuner.ts): the frozen base's G and E, and the
 * prototype's mean faces (no real person's face; [S, S, 3] 0-255 each) and their mirror images at
 * G's resolution, [2m, R, R, 3] in [-1, 1], with their anchor ages.
 */
async function loadAnchor(baseDir: string, prototype: PrototypeAgingModel, resolution: number): Promise<NonNullable<AgeCganFinetuneParts['anchor']>> {
  const { G, E } = await loadInferenceNets(baseDir);
  const S = prototype.resolution;
  const m = prototype.means.length;
  const pixels = new Float32Array(m * S * S * 3);
  prototype.means.forEach((mean, i) => pixels.set(mean.pixels, i * S * S * 3));
  const faces = tf.tidy(() => {
    const x = tf.sub(tf.div(tf.tensor4d(pixels, [m, S, S, 3]), 127.5), 1) as tf.Tensor4D;
    const r = S === resolution ? x : tf.image.resizeBilinear(x, [resolution, resolution], false, true);
    return tf.concat([r, tf.reverse(r, 2)]) as tf.Tensor4D;
  });
  const ages = Float32Array.from([...prototype.means, ...prototype.means].map((mean) => mean.anchorAge));
  return { G, E, faces, ages };
}

export async function runAgeCganFinetune(spec: FinetuneSpec, hooks: FinetuneHooks = {}): Promise<FinetuneResult> {
  const teacherDir = spec.teacherDir === undefined ? shippedPrototypeDir() : spec.teacherDir;
  let teacher: PrototypeAgingModel | null = null;
  let recognizer: FaceRecognizer | null = null;
  let anchor: AgeCganFinetuneParts['anchor'] = null;
  const source = await openFaceSource(spec.dataDir, { size: 128, valFraction: 0 });
  try {
    teacher = teacherDir ? await loadPrototypeModel(teacherDir, AGE_CGAN_TEACHER_OPTIONS) : null;
    const config = resolveAgeCganConfig((await readCheckpoint(spec.baseDir)).config);
    const settings = ageCganFinetuneSettings(spec, config.teacherWeight ?? 0);
    recognizer = settings.descriptorWeight > 0 ? await loadRecognizer() : null;
    anchor = settings.anchorWeight > 0 && teacher ? await loadAnchor(spec.baseDir, teacher, config.resolution) : null;
    const parts: AgeCganFinetuneParts = { teacher, recognizer, anchor };
    // Uniform over the person's faces (they are not spread over age groups like a dataset).
    const data = new FaceDataset(source, { split: 'train', resolution: config.resolution, seed: spec.seed, balance: 0 });
    const { options: loop, reportSamples } = finetuneLoopOptions(spec, hooks, data.size);
    let trainable = 0;
    let frozen = 0;
    const count = (t: AgeCganFinetuner) => {
      frozen = settings.freezeEncoder ? t.E.params.variables().length : 0;
      trainable = t.G.params.variables().length + t.E.params.variables().length - frozen;
      return t;
    };
    const result = await runTraining({
      runDir: spec.runDir,
      create: async () => count(await AgeCganFinetuner.fromBase(spec.baseDir, settings, parts)),
      load: async (dir) => count(await AgeCganFinetuner.fromCheckpoint(dir, settings, parts)),
      data,
      resume: (await latestCheckpoint(spec.runDir)) !== null,
      // A 64 px step is cheap: time decides (a checkpoint is ~10 MB, well under a second).
      checkpointEverySteps: 25,
      checkpointEverySeconds: 30,
      ...loop,
    });
    await reportSamples();
    return await finishFinetune(
      spec,
      hooks,
      result,
      (dir) => exportAgeCganModel(dir, spec.exportDir, { metrics: { fineTuneSteps: result.step, fineTuneFaces: data.size } }),
      { trainableVars: trainable, frozenVars: frozen, ageClassifier: false, kind: 'age-cgan', teacher: teacher !== null },
    );
  } finally {
    await source.close();
    recognizer?.dispose();
    teacher?.dispose?.();
    if (anchor) {
      anchor.G.dispose();
      anchor.E.dispose();
      tf.dispose(anchor.faces);
    }
  }
}
