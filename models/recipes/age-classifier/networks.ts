/**
 * A small CNN that maps an aligned face to coarse age-group logits. It is the GANs' frozen
 * teacher (an age signal they can differentiate through), not the evaluator (face-api judges).
 *
 * At inputSize 64, width 24:
 *   [N,64,64,3] -> c5x5 s2 24 [N,32,32,24] -> c3 s2 48 [16x16] -> c3 48 -> c3 s2 96 [8x8] -> c3 96
 *   -> c3 s2 128 [N,4,4,128] -> flatten 2048 -> dense 64 -> dense G (logits)
 * LeakyReLU 0.2 after every hidden layer, no normalisation (so a face's logits never depend on
 * the other faces of its batch, and there are no running statistics to freeze). Inputs of another
 * size are resized bilinearly to inputSize first, which keeps the whole map differentiable.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from '../../nn/params';
import { conv2d, leakyRelu } from '../../nn/ops';

export interface AgeClassifierNetConfig {
  inputSize: number;
  width: number;
  hidden: number;
  groups: number;
}

export const DEFAULT_NET_CONFIG: AgeClassifierNetConfig = { inputSize: 64, width: 24, hidden: 64, groups: 8 };

type Conv = { w: tf.Variable; b: tf.Variable; stride: number };

export class AgeClassifierNet {
  readonly params: ParamStore;
  private readonly convs: Conv[] = [];
  private readonly fc1: { w: tf.Variable; b: tf.Variable };
  private readonly fc2: { w: tf.Variable; b: tf.Variable };

  constructor(readonly config: AgeClassifierNetConfig, seed = 7) {
    const p = (this.params = new ParamStore('age-classifier', seed));
    const w = config.width;
    // He init for LeakyReLU layers: std = sqrt(2 / fan_in).
    const he = (fanIn: number) => ({ kind: 'normal' as const, std: Math.sqrt(2 / fanIn) });
    const conv = (id: string, k: number, cin: number, cout: number, stride: number): Conv => ({
      w: p.create(`${id}.w`, [k, k, cin, cout], he(k * k * cin)),
      b: p.create(`${id}.b`, [cout], { kind: 'zeros' }),
      stride,
    });
    this.convs.push(conv('c1', 5, 3, w, 2));
    this.convs.push(conv('c2', 3, w, 2 * w, 2));
    this.convs.push(conv('c3', 3, 2 * w, 2 * w, 1));
    this.convs.push(conv('c4', 3, 2 * w, 4 * w, 2));
    this.convs.push(conv('c5', 3, 4 * w, 4 * w, 1));
    this.convs.push(conv('c6', 3, 4 * w, 128, 2));
    const flat = (config.inputSize / 16) ** 2 * 128;
    this.fc1 = { w: p.create('fc1.w', [flat, config.hidden], he(flat)), b: p.create('fc1.b', [config.hidden], { kind: 'zeros' }) };
    this.fc2 = {
      w: p.create('fc2.w', [config.hidden, config.groups], { kind: 'normal', std: 0.01 }),
      b: p.create('fc2.b', [config.groups], { kind: 'zeros' }),
    };
  }

  /** x: [N, R, R, 3] in [-1, 1], any R; returns logits [N, groups]. */
  logits(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const s = this.config.inputSize;
      let h: tf.Tensor4D = x.shape[1] === s && x.shape[2] === s ? x : tf.image.resizeBilinear(x, [s, s], false, true);
      for (const c of this.convs) h = leakyRelu(conv2d(h, c.w as tf.Tensor4D, c.b as tf.Tensor1D, c.stride, 'zero'));
      const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
      const hid = tf.leakyRelu(tf.add(tf.matMul(flat, this.fc1.w as tf.Tensor2D), this.fc1.b), 0.2) as tf.Tensor2D;
      return tf.add(tf.matMul(hid, this.fc2.w as tf.Tensor2D), this.fc2.b) as tf.Tensor2D;
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}
