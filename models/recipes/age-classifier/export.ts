/**
 * Turns a training checkpoint of the age classifier into the shipped form: fp16 weights (half the
 * size, accuracy unchanged for this net), its config, and a model card.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write';
import { AgeClassifierNet } from './networks';
import { readAgeClassifierConfig, writeAgeClassifierConfig } from './trainer';
import type { AgeClassifierMetrics } from './evaluate';

export interface AgeClassifierCardInfo {
  /** Which faces and how they were prepared (one sentence). */
  data: string;
  trainHours: number;
  hardware: string;
  backend: string;
  trainFaces: number;
  valFaces: number;
  val: AgeClassifierMetrics;
}

export async function exportAgeClassifier(checkpointDir: string, outDir: string, info: AgeClassifierCardInfo): Promise<{ bytes: number }> {
  const stored = await readAgeClassifierConfig(checkpointDir);
  const net = new AgeClassifierNet(stored.config.net, stored.config.seed);
  try {
    await net.params.load(checkpointDir);
    await fs.mkdir(outDir, { recursive: true });
    await net.params.save(outDir, 'float16');
  } finally {
    net.dispose();
  }
  const metrics = { valAccuracy: info.val.accuracy, valAccuracyWithinOne: info.val.accuracyWithinOne, valMae: info.val.mae };
  await writeAgeClassifierConfig(outDir, stored.config, { step: stored.step, totalSteps: stored.totalSteps, completed: stored.completed, metrics });
  await writeFileAtomic(path.join(outDir, 'MODEL_CARD.md'), modelCard(stored.config, stored.step, info));
  let bytes = 0;
  for (const f of await fs.readdir(outDir)) bytes += (await fs.stat(path.join(outDir, f))).size;
  return { bytes };
}

function modelCard(config: Awaited<ReturnType<typeof readAgeClassifierConfig>>['config'], step: number, info: AgeClassifierCardInfo): string {
  const v = info.val;
  return `# Age classifier (the GANs' frozen age teacher)

**What it is.** A small CNN (${config.net.inputSize} px input, 6 convolutions, 2 dense layers,
LeakyReLU, no normalisation) that classifies an aligned face crop into ${config.groups.labels.length}
coarse age groups (${config.groups.labels.join(', ')}). Its softmax-weighted group centres give a
continuous expected age. The CycleGAN-style and Age-cGAN trainers use it, frozen, as a
differentiable age signal. It is **not** the evaluator: evaluation uses the face-api age network.

**Code.** models/recipes/age-classifier/ (network.ts, trainer.ts, load.ts: \`loadAgeClassifier(dir)\`).
Weights: age-classifier.bin/.json (float16), config: age-classifier-config.json.
GAN trainers load it with \`loadAgeClassifier(dir, { blur: true })\`: a 3x3 binomial input blur
leaves it blind to 2-pixel checkerboards, so a generator cannot please it with speckle.

**Data and terms.** Trained on UTKFace ("aligned & cropped", Zhang, Song, Qi, CVPR 2017):
${info.data} Resized to ${config.resolution} px,
age-group balanced sampling, random flip and small shift/zoom. Soft labels: N(age, ${config.labelSigma}^2)
mass per group. UTKFace is available for **non-commercial research purposes only**; the copyright
of the images stays with their owners. These weights inherit those terms; no image is shipped.
Train split: ${info.trainFaces} faces; validation split (content-hash split with the packed dataset's rule and
seed, duplicates removed first, so the GANs' validation faces are outside it too): ${info.valFaces} faces, never trained on.

**Training.** ${step} steps of Adam (lr ${config.learningRate}), ${info.trainHours.toFixed(2)} hours on
${info.hardware} (tfjs ${info.backend} backend, shared with other jobs).

**Validation (${v.faces} faces).** group accuracy ${(v.accuracy * 100).toFixed(1)}%
(always guessing the largest group: ${(v.majorityBaseline * 100).toFixed(1)}%), within one group
${(v.accuracyWithinOne * 100).toFixed(1)}%, expected-age MAE ${v.mae.toFixed(2)} years.

**Limits.** Labels are noisy (estimated, then checked by people); UTKFace is skewed towards
twenties and towards some ethnicities; the net is small and can be fooled by adversarial
patterns, so GAN losses built on it should be paired with realism losses.
`;
}
