/**
 * The three networks of Age-cGAN, DCGAN-style, built from models/nn ops on ParamStores.
 *
 *   G(z, y): [N, zDim] x [N, 6] -> dense -> [N, 4, 4, c0] -> log2(R/4) x [upconv4 s2, pixel-norm,
 *            LReLU] -> conv3 -> tanh -> [N, R, R, 3]. y is concatenated to z at the input (paper)
 *            and, when gCondEveryLayer, tiled before every upsampling.
 *   D(x, y): [N, R, R, 3] -> conv4 s2 -> LReLU -> concat tiled y (condition at the first layer)
 *            -> conv4 s2 ... down to 4x4 -> dense -> [N, 1] logit.
 *   E(x):    [N, R, R, 3] -> conv4 s2 ... (instance norm after the first) -> 4x4 -> dense -> [N, zDim].
 *
 * At 64 px with ngf 32: G channels 256 (4x4) -> 128 (8) -> 64 (16) -> 32 (32) -> 32 (64) -> 3.
 * Pixel norm (Karras et al. 2018) instead of DCGAN's batch norm keeps G independent of the batch,
 * so a face optimised alone (the IP step, batch 1) sees the same G as training did.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from '../../nn/params';
import { concatCondition, conv2d, instanceNorm, leakyRelu, upConv2x } from '../../nn/ops';
import type { AgeCganConfig } from './config';

type Conv = { w: tf.Variable; b: tf.Variable };

function levels(resolution: number): number {
  const n = Math.log2(resolution / 4);
  if (!Number.isInteger(n) || n < 1) throw new Error(`resolution ${resolution} is not 4 * 2^k`);
  return n;
}

/** Channels of a stage at side `side` for base width `base` at full resolution. */
function width(base: number, resolution: number, side: number, cap: number): number {
  return Math.min(cap, base * Math.max(1, resolution / side / 2));
}

/** tfjs-core alone registers no gradients; the engine's backend selection (or @tensorflow/tfjs) does. */
export function assertGradientsRegistered(): void {
  for (const k of ['Conv2D', 'Conv2DBackpropInput', 'Softplus', 'ResizeBilinear', 'MaxPool']) {
    if (!tf.getGradient(k)) {
      throw new Error(
        `tfjs gradient for ${k} is not registered: import '@tensorflow/tfjs-core/dist/register_all_gradients' (or @tensorflow/tfjs) first`,
      );
    }
  }
}

function pixelNorm(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), 3, true), 1e-8)));
}

export class Generator {
  readonly params: ParamStore;
  private readonly fc: { w: tf.Variable; b: tf.Variable };
  private readonly ups: Conv[] = [];
  private readonly head: Conv;
  private readonly c0: number;

  constructor(readonly config: AgeCganConfig, seed = config.seed) {
    const { resolution: R, zDim, nGroups: k, ngf, maxChannels, gCondEveryLayer } = config;
    const p = (this.params = new ParamStore('G', seed));
    this.c0 = width(ngf, R, 4, maxChannels);
    this.fc = { w: p.create('fc.w', [zDim + k, 16 * this.c0]), b: p.create('fc.b', [16 * this.c0], { kind: 'zeros' }) };
    let cin = this.c0;
    for (let i = 0, side = 8; i < levels(R); i++, side *= 2) {
      const cout = width(ngf, R, side, maxChannels);
      const extra = gCondEveryLayer ? k : 0;
      // conv2dTranspose filters are [k, k, out, in].
      this.ups.push({ w: p.create(`up${i}.w`, [4, 4, cout, cin + extra]), b: p.create(`up${i}.b`, [cout], { kind: 'zeros' }) });
      cin = cout;
    }
    this.head = { w: p.create('head.w', [3, 3, cin, 3]), b: p.create('head.b', [3], { kind: 'zeros' }) };
  }

  /** z: [N, zDim], y: [N, 6] -> faces [N, R, R, 3] in (-1, 1). */
  apply(z: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor4D {
    const n = z.shape[0];
    const zy = tf.concat([z, y], 1);
    let h = tf.reshape(tf.add(tf.matMul(zy, this.fc.w), this.fc.b), [n, 4, 4, this.c0]) as tf.Tensor4D;
    h = leakyRelu(pixelNorm(h));
    for (const u of this.ups) {
      const inp = this.config.gCondEveryLayer ? concatCondition(h, y) : h;
      h = leakyRelu(pixelNorm(upConv2x(inp, u.w as tf.Tensor4D, u.b as tf.Tensor1D)));
    }
    return tf.tanh(conv2d(h, this.head.w as tf.Tensor4D, this.head.b as tf.Tensor1D, 1, 'zero'));
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Strided 4x4 conv stack from R down to 4x4 and a dense head: the body of D and E.
 * `condChannels` > 0 concatenates the tiled condition after the first conv (D's "first layer").
 */
class DownNet {
  readonly params: ParamStore;
  private readonly convs: Conv[] = [];
  private readonly fc: { w: tf.Variable; b: tf.Variable };

  constructor(name: string, seed: number, base: number, c: AgeCganConfig, condChannels: number, outputs: number, private readonly norm: boolean) {
    const p = (this.params = new ParamStore(name, seed));
    let cin = 3;
    let cout = base;
    for (let i = 0; i < levels(c.resolution); i++) {
      this.convs.push({ w: p.create(`down${i}.w`, [4, 4, cin, cout]), b: p.create(`down${i}.b`, [cout], { kind: 'zeros' }) });
      cin = cout + (i === 0 ? condChannels : 0);
      cout = Math.min(c.maxChannels, cout * 2);
    }
    this.fc = { w: p.create('fc.w', [16 * cin, outputs]), b: p.create('fc.b', [outputs], { kind: 'zeros' }) };
  }

  apply(x: tf.Tensor4D, y: tf.Tensor2D | null): tf.Tensor2D {
    let h = x;
    this.convs.forEach((c, i) => {
      h = conv2d(h, c.w as tf.Tensor4D, c.b as tf.Tensor1D, 2, 'zero', 1);
      h = leakyRelu(this.norm && i > 0 ? instanceNorm(h) : h);
      if (i === 0 && y) h = concatCondition(h, y);
    });
    const flat = tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D;
    return tf.add(tf.matMul(flat, this.fc.w), this.fc.b);
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** D(x, y): x [N, R, R, 3], y [N, 6] -> logits [N, 1] (real > 0). No normalisation, as in DCGAN's D without BN. */
export class Discriminator extends DownNet {
  constructor(readonly config: AgeCganConfig, seed = config.seed + 1000) {
    super('D', seed, config.ndf, config, config.nGroups, 1, false);
  }
}

/** E(x): x [N, R, R, 3] in [-1, 1] -> z0 [N, zDim]; instance norm after the first conv. */
export class Encoder {
  private readonly net: DownNet;

  constructor(readonly config: AgeCganConfig, seed = config.seed + 2000) {
    this.net = new DownNet('E', seed, config.nef, config, 0, config.zDim, true);
  }

  get params(): ParamStore {
    return this.net.params;
  }

  apply(x: tf.Tensor4D): tf.Tensor2D {
    return this.net.apply(x, null);
  }

  dispose(): void {
    this.net.dispose();
  }
}
