/**
 * ResNet image-to-image generator (Johnson et al. 2016, as used by CycleGAN):
 *   c7s1-ngf -> nDown x [conv3 s2, IN, ReLU] -> nBlocks x residual(conv3-IN-ReLU-conv3-IN)
 *   -> nDown x [upconv s2, IN, ReLU] -> c7s1-outChannels (raw, no activation).
 * Shapes at 128 px, ngf 32, nDown 2: [N,128,128,3] -> [N,32,32,128] in the blocks -> [N,128,128,out].
 * An optional condition vector [N, condChannels] (an age code) is tiled and concatenated to the
 * input and, when `condAtBlocks`, to the input of every residual block, so the blocks can steer
 * the translation by age.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from './params';
import { concatCondition, conv2d, instanceNorm, upConv2x } from './ops';

export interface ResnetGeneratorConfig {
  inChannels: number;
  outChannels: number;
  condChannels: number;
  ngf: number;
  nBlocks: number;
  nDown: number;
  condAtBlocks: boolean;
}

export const REFERENCE_GENERATOR: ResnetGeneratorConfig = {
  inChannels: 3,
  outChannels: 3,
  condChannels: 0,
  ngf: 32,
  nBlocks: 6,
  nDown: 2,
  condAtBlocks: false,
};

type Conv = { w: tf.Variable; b: tf.Variable };

export class ResnetGenerator {
  readonly params: ParamStore;
  private readonly stem: Conv;
  private readonly down: Conv[] = [];
  private readonly blocks: Array<{ a: Conv; b: Conv }> = [];
  private readonly up: Conv[] = [];
  private readonly head: Conv;

  constructor(readonly config: ResnetGeneratorConfig, name = 'G', seed = 1) {
    const { inChannels, outChannels, condChannels, ngf, nBlocks, nDown, condAtBlocks } = config;
    const p = (this.params = new ParamStore(name, seed));
    const conv = (id: string, k: number, cin: number, cout: number): Conv => ({
      w: p.create(`${id}.w`, [k, k, cin, cout]),
      b: p.create(`${id}.b`, [cout], { kind: 'zeros' }),
    });
    this.stem = conv('stem', 7, inChannels + condChannels, ngf);
    let c = ngf;
    for (let i = 0; i < nDown; i++, c *= 2) this.down.push(conv(`down${i}`, 3, c, c * 2));
    const blockIn = c + (condAtBlocks ? condChannels : 0);
    for (let i = 0; i < nBlocks; i++) {
      this.blocks.push({ a: conv(`block${i}.a`, 3, blockIn, c), b: conv(`block${i}.b`, 3, c, c) });
    }
    for (let i = 0; i < nDown; i++, c /= 2) {
      // conv2dTranspose filter layout is [k, k, outChannels, inChannels].
      this.up.push({ w: p.create(`up${i}.w`, [3, 3, c / 2, c]), b: p.create(`up${i}.b`, [c / 2], { kind: 'zeros' }) });
    }
    this.head = conv('head', 7, c, outChannels);
  }

  /** x: [N, H, W, inChannels] in [-1, 1]; cond: [N, condChannels] or null. Returns [N, H, W, outChannels]. */
  apply(x: tf.Tensor4D, cond: tf.Tensor2D | null = null): tf.Tensor4D {
    const { condChannels, condAtBlocks } = this.config;
    if (condChannels > 0 && !cond) throw new Error('this generator needs a condition');
    const relu = (t: tf.Tensor4D) => tf.relu(t);
    let h = cond && condChannels ? concatCondition(x, cond) : x;
    h = relu(instanceNorm(conv2d(h, this.stem.w as tf.Tensor4D, this.stem.b as tf.Tensor1D, 1, 'reflect')));
    for (const d of this.down) {
      h = relu(instanceNorm(conv2d(h, d.w as tf.Tensor4D, d.b as tf.Tensor1D, 2, 'zero')));
    }
    for (const { a, b } of this.blocks) {
      const inp = cond && condAtBlocks ? concatCondition(h, cond) : h;
      let r = relu(instanceNorm(conv2d(inp, a.w as tf.Tensor4D, a.b as tf.Tensor1D, 1, 'reflect')));
      r = instanceNorm(conv2d(r, b.w as tf.Tensor4D, b.b as tf.Tensor1D, 1, 'reflect'));
      h = tf.add(h, r);
    }
    for (const u of this.up) {
      h = relu(instanceNorm(upConv2x(h, u.w as tf.Tensor4D, u.b as tf.Tensor1D)));
    }
    return conv2d(h, this.head.w as tf.Tensor4D, this.head.b as tf.Tensor1D, 1, 'reflect');
  }

  dispose(): void {
    this.params.dispose();
  }
}
