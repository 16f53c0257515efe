/**
 * Validation of the age classifier: group accuracy, accuracy within one group, and the MAE of
 * its expected age against the labelled ages, over every face of a split (unaugmented).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FaceBatch } from '../../core/trainer';
import { ageGroupOf, type AgeGroups } from '../../data/age-bins';
import type { AgeClassifierNet } from './networks';

export interface AgeClassifierMetrics {
  faces: number;
  accuracy: number;
  /** Predicted group is the labelled one or a neighbour. */
  accuracyWithinOne: number;
  /** Mean |expected age - labelled age|, years. */
  mae: number;
  /** Share of the most frequent group: the accuracy of always guessing it. */
  majorityBaseline: number;
}

export async function evaluateAgeClassifier(
  net: AgeClassifierNet,
  groups: AgeGroups,
  centres: number[],
  batches: AsyncIterable<FaceBatch>,
): Promise<AgeClassifierMetrics> {
  const G = centres.length;
  const c = tf.tensor1d(centres);
  let faces = 0;
  let hits = 0;
  let near = 0;
  let absErr = 0;
  const counts = new Array<number>(G).fill(0);
  try {
    for await (const batch of batches) {
      const probs = tf.tidy(() => tf.softmax(net.logits(batch.images)));
      batch.images.dispose();
      const expected = tf.tidy(() => tf.sum(tf.mul(probs, c), 1));
      const [p, e] = await Promise.all([probs.data(), expected.data()]);
      probs.dispose();
      expected.dispose();
      for (let i = 0; i < batch.ages.length; i++) {
        let best = 0;
        for (let g = 1; g < G; g++) if (p[i * G + g] > p[i * G + best]) best = g;
        const truth = ageGroupOf(batch.ages[i], groups);
        counts[truth]++;
        if (best === truth) hits++;
        if (Math.abs(best - truth) <= 1) near++;
        absErr += Math.abs(e[i] - batch.ages[i]);
        faces++;
      }
    }
  } finally {
    c.dispose();
  }
  if (faces === 0) throw new Error('no faces to evaluate');
  return {
    faces,
    accuracy: hits / faces,
    accuracyWithinOne: near / faces,
    mae: absErr / faces,
    majorityBaseline: Math.max(...counts) / faces,
  };
}
