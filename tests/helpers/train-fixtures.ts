/**
 * Shared set-up of the train-* and age-classifier-* tests: cpu backend with gradients, synthetic
 * face sources whose pixels encode the age (so a classifier can learn them in a few steps), and a
 * tiny age-classifier trainer (a real Trainer with Adam state) to drive the generic loop.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { MemoryFaceSource, SPLIT_TRAIN, SPLIT_VAL } from '../../models/data/face-source';
import { mulberry32 } from '../../models/core/rng';
import { ageGroupOf } from '../../models/data/age-bins';
import { AgeClassifierTrainer, defaultAgeClassifierConfig, groupCentres } from '../../models/recipes/age-classifier/trainer';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * `ages.length` faces of size S: brightness rises with the age group, plus per-face noise and a
 * diagonal stripe whose side tells young from old, so the group is learnable but not trivial.
 * Every `valEvery`-th face is in the val split.
 */
export function syntheticSource(ages: number[], S = 16, valEvery = 0, seed = 3): MemoryFaceSource {
  const rand = mulberry32(seed);
  const n = S * S * 3;
  const px = new Uint8Array(ages.length * n);
  ages.forEach((age, i) => {
    const g = ageGroupOf(age);
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const stripe = (g >= 4 ? x > y : x < y) ? 30 : 0;
        for (let c = 0; c < 3; c++) {
          const v = 30 + g * 22 + stripe + (rand() - 0.5) * 30 + c * 5;
          px[i * n + (y * S + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
  });
  const splits = Uint8Array.from(ages.map((_, i) => (valEvery > 0 && i % valEvery === valEvery - 1 ? SPLIT_VAL : SPLIT_TRAIN)));
  return new MemoryFaceSource(S, px, Float32Array.from(ages), splits);
}

/** Ages spread over all groups, `perGroup` faces each (group g gets ages inside it). */
export function spreadAges(perGroup: number): number[] {
  const lows = [2, 14, 21, 31, 41, 51, 61, 72];
  const ages: number[] = [];
  for (let k = 0; k < perGroup; k++) for (const lo of lows) ages.push(lo + (k % 6));
  return ages;
}

export function tinyClassifierTrainer(ages: ArrayLike<number>, res = 16): AgeClassifierTrainer {
  const config = defaultAgeClassifierConfig(groupCentres(ages), {
    net: { inputSize: 16, width: 4, hidden: 8, groups: 8 },
    resolution: res,
    learningRate: 3e-3,
  });
  return new AgeClassifierTrainer(config);
}
