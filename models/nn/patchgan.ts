/**
 * PatchGAN discriminator (Isola et al. 2017): with nLayers 3 each output unit sees a 70x70 patch.
 *   C(ndf, no norm) s2 -> C(2ndf) s2 -> C(4ndf) s2 -> C(8ndf) s1 -> conv 1 s1, all 4x4, LeakyReLU 0.2.
 * Shapes at 128 px: [N,128,128,3] -> [N,14,14,1] raw scores (least-squares GAN, no sigmoid).
 * An optional condition [N, condChannels] is tiled and concatenated to the input (Age-cGAN's
 * "condition at the first layer"). The CycleGAN's age-aware discriminator
 * (recipes/cyclegan/networks.ts) is this network with a projection head.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from './params';
import { concatCondition, conv2d, instanceNorm, leakyRelu } from './ops';

export interface PatchGanConfig {
  inChannels: number;
  condChannels: number;
  ndf: number;
  nLayers: number;
  /** Output maps of the head conv (default 1; a projection discriminator has 1 + condition size). */
  headChannels?: number;
}

export const REFERENCE_DISCRIMINATOR: PatchGanConfig = { inChannels: 3, condChannels: 0, ndf: 64, nLayers: 3 };

type Conv = { w: tf.Variable; b: tf.Variable };

export class PatchGan {
  readonly params: ParamStore;
  private readonly layers: Array<Conv & { stride: number; norm: boolean }> = [];
  private readonly head: Conv;

  constructor(readonly config: PatchGanConfig, name = 'D', seed = 101) {
    const p = (this.params = new ParamStore(name, seed));
    const conv = (id: string, cin: number, cout: number): Conv => ({
      w: p.create(`${id}.w`, [4, 4, cin, cout]),
      b: p.create(`${id}.b`, [cout], { kind: 'zeros' }),
    });
    let cin = config.inChannels + config.condChannels;
    let cout = config.ndf;
    for (let i = 0; i <= config.nLayers; i++) {
      const stride = i < config.nLayers ? 2 : 1;
      this.layers.push({ ...conv(`l${i}`, cin, cout), stride, norm: i > 0 });
      cin = cout;
      cout = Math.min(cout * 2, config.ndf * 8);
    }
    this.head = conv('head', cin, config.headChannels ?? 1);
  }

  /** x: [N, H, W, inChannels]; returns patch scores [N, h, w, headChannels]. */
  apply(x: tf.Tensor4D, cond: tf.Tensor2D | null = null): tf.Tensor4D {
    return this.scores(this.features(x, cond));
  }

  /** Patch features [N, h+1, w+1, C] before the head. */
  features(x: tf.Tensor4D, cond: tf.Tensor2D | null = null): tf.Tensor4D {
    let h = cond && this.config.condChannels ? concatCondition(x, cond) : x;
    for (const l of this.layers) {
      h = conv2d(h, l.w as tf.Tensor4D, l.b as tf.Tensor1D, l.stride, 'zero', 1);
      h = leakyRelu(l.norm ? instanceNorm(h) : h);
    }
    return h;
  }

  /** The head conv over features: [N, h, w, headChannels]. */
  scores(h: tf.Tensor4D): tf.Tensor4D {
    return conv2d(h, this.head.w as tf.Tensor4D, this.head.b as tf.Tensor1D, 1, 'zero', 1);
  }

  dispose(): void {
    this.params.dispose();
  }
}
