/**
 * The frozen age classifier as the GANs use it: differentiable logits and expected age for
 * aligned faces [N, R, R, 3] in [-1, 1] (any R; resized to the net's input size inside).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AgeGroups } from '../../data/age-bins';
import { AgeClassifierNet } from './networks';
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

export interface FrozenClassifierOptions {
  /**
   * Low-pass the input with a 3x3 binomial filter ([1,2,1] x [1,2,1] / 16) before the net. Its
   * response is zero at the Nyquist frequency, so a generator trained through the classifier
   * gets no reward (and no gradient) for 2-pixel checkerboards, the adversarial pattern a small
   * CNN teacher otherwise invites. Costs little accuracy (ages live in lower frequencies).
   */
  blur?: boolean;
}

/**
 * x: [N, H, W, 3] -> same shape, binomial-blurred per channel with reflected borders. A plain
 * conv2d with a channel-diagonal [3, 3, 3, 3] filter: depthwise convolution has no input
 * gradient kernel on the wasm backend, conv2d does (models/backend/wasm-kernels).
 */
function binomialBlur(x: tf.Tensor4D): tf.Tensor4D {
  const k1 = [1, 2, 1];
  const k = new Float32Array(9 * 9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let c = 0; c < 3; c++) k[((i * 3 + j) * 3 + c) * 3 + c] = (k1[i] * k1[j]) / 16;
  return tf.tidy(() => {
    const w = tf.tensor4d(k, [3, 3, 3, 3]);
    const xp = tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect');
    return tf.conv2d(xp, w, 1, 'valid');
  });
}

/** Wraps a net (already holding trained weights) as a frozen AgeClassifier; takes ownership. */
export function frozenAgeClassifier(
  net: AgeClassifierNet,
  groups: AgeGroups,
  centres: number[],
  opts: FrozenClassifierOptions = {},
): AgeClassifier {
  // Frozen: optimizers that are handed var lists never see these, and no gradient flows into them.
  for (const v of net.params.variables()) v.trainable = false;
  const c = tf.tensor1d(centres);
  const logits = (x: tf.Tensor4D): tf.Tensor2D => (opts.blur ? tf.tidy(() => net.logits(binomialBlur(x))) : net.logits(x));
  return {
    groups,
    centres,
    inputSize: net.config.inputSize,
    logits,
    expectedAge: (x) => tf.tidy(() => tf.sum(tf.mul(tf.softmax(logits(x)), c), 1) as tf.Tensor1D),
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
export async function loadAgeClassifier(dir: string, opts: FrozenClassifierOptions = {}): Promise<AgeClassifier> {
  const stored = await readAgeClassifierConfig(dir);
  const net = new AgeClassifierNet(stored.config.net, stored.config.seed);
  try {
    await net.params.load(dir);
  } catch (e) {
    net.dispose();
    throw e;
  }
  return frozenAgeClassifier(net, stored.config.groups, stored.config.centres, opts);
}
