/**
 * The frozen age classifier as the GANs use it: differentiable logits and expected age for
 * aligned faces [N, R, R, 3] in [-1, 1] (any R; resized to the net's input size inside).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AgeGroups } from '../train/age-bins';
import { AgeClassifierNet } from './network';
import { readAgeClassifierConfig } from './trainer';

export interface AgeClassifier {
  readonly groups: AgeGroups;
  /** Mean labelled age of each group, years. */
  readonly centres: readonly number[];
  readonly inputSize: number;
  /** Logits [N, groups]. Differentiable w.r.t. x; the weights are frozen (not trainable). */
  logits(x: tf.Tensor4D): tf.Tensor2D;
  /** Softmax-weighted mean of the group centres, years [N]. Differentiable w.r.t. x. */
  expectedAge(x: tf.Tensor4D): tf.Tensor1D;
  dispose(): void;
}

/** Wraps a net (already holding trained weights) as a frozen AgeClassifier; takes ownership. */
export function frozenAgeClassifier(net: AgeClassifierNet, groups: AgeGroups, centres: number[]): AgeClassifier {
  // Frozen: optimizers that are handed var lists never see these, and no gradient flows into them.
  for (const v of net.params.variables()) v.trainable = false;
  const c = tf.tensor1d(centres);
  return {
    groups,
    centres,
    inputSize: net.config.inputSize,
    logits: (x) => net.logits(x),
    expectedAge: (x) => tf.tidy(() => tf.sum(tf.mul(tf.softmax(net.logits(x)), c), 1) as tf.Tensor1D),
    dispose: () => {
      net.dispose();
      c.dispose();
    },
  };
}

/**
 * Loads a classifier from a folder holding age-classifier.json/.bin (fp32 or fp16) and
 * age-classifier-config.json: a training checkpoint or the shipped assets/models/age-classifier.
 */
export async function loadAgeClassifier(dir: string): Promise<AgeClassifier> {
  const stored = await readAgeClassifierConfig(dir);
  const net = new AgeClassifierNet(stored.config.net, stored.config.seed);
  try {
    await net.params.load(dir);
  } catch (e) {
    net.dispose();
    throw e;
  }
  return frozenAgeClassifier(net, stored.config.groups, stored.config.centres);
}
