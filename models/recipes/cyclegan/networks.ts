/**
 * Age-conditional generator: a ResNet generator (c7s1, 2 strided convs, residual blocks, 2 up-convs,
 * instance norm) with the age code applied by FiLM after every norm (film-resnet.ts) or, for
 * reference, models/nn's concatenation, plus an output head chosen by config (GeneratorOutput).
 * One network plays both of CycleGAN's generators:
 * G = this at the old code, F = this at the young code.
 *
 * The discriminator, an age-aware 70x70 PatchGAN (Isola et al. 2017), least-squares outputs (no sigmoid):
 *   C(ndf) s2 -> C(2ndf) s2 -> C(4ndf) s2 -> C(8ndf) s1, 4x4 kernels, IN (not on the first), LReLU 0.2.
 * Shapes at 128 px, nLayers 3: [N,128,128,3] -> features [N,15,15,8ndf] -> scores [N,14,14,1].
 *
 * Conditioning on the age code c [N, G]:
 * - 'projection': the head conv has 1 + G output maps; score = o_0 + sum_g c_g * o_g. This is the
 *   projection discriminator's inner product <embed(c), phi(patch)> applied per 4x4 patch of
 *   features, so D judges "is this a real face OF THIS AGE" patch by patch.
 * - 'channels': c tiled and concatenated to the input image.
 * - 'none': plain PatchGAN.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ResnetGenerator } from '../../nn/resnet-generator';
import { FilmResnetGenerator } from '../../nn/film-resnet';
import { ParamStore } from '../../nn/params';
import { PatchGan } from '../../nn/patchgan';
import type { CycleGanConfig, DiscriminatorConditioning, GeneratorOutput } from './config';

export interface Translation {
  /** [N, H, W, 3]; not clipped during training (D learns to punish out-of-range values). */
  image: tf.Tensor4D;
  /** [N, H, W, 1] in (0, 1) for 'mask-residual', else null. */
  mask: tf.Tensor4D | null;
}

export class AgeGenerator {
  readonly net: ResnetGenerator | FilmResnetGenerator;
  readonly output: GeneratorOutput;

  constructor(config: CycleGanConfig, seed = config.seed) {
    const g = config.generator;
    this.output = g.output;
    const outChannels = g.output === 'mask-residual' ? 4 : 3;
    const condChannels = config.domains.length;
    this.net =
      g.conditioning === 'concat'
        ? new ResnetGenerator(
            { inChannels: 3, outChannels, condChannels, ngf: g.ngf, nBlocks: g.nBlocks, nDown: g.nDown, condAtBlocks: g.condAtBlocks },
            'G',
            seed,
          )
        : new FilmResnetGenerator({ outChannels, condChannels, ngf: g.ngf, nBlocks: g.nBlocks, nDown: g.nDown }, 'G', seed);
    if (g.output !== 'direct') {
      // A zero head makes the untrained model the exact identity (delta = 0, mask = 0.5), as the
      // issue asks; gradients still reach the head through the features.
      tf.tidy(() => {
        const w = this.net.params.get('head.w');
        w.assign(tf.zerosLike(w));
      });
    }
  }

  get params() {
    return this.net.params;
  }

  /** x: [N, H, W, 3] in [-1, 1]; code: [N, domains]. */
  translate(x: tf.Tensor4D, code: tf.Tensor2D): Translation {
    const raw = this.net.apply(x, code);
    if (this.output === 'direct') return { image: tf.tanh(raw), mask: null };
    if (this.output === 'residual') return { image: tf.add(x, tf.mul(tf.tanh(raw), 2)), mask: null };
    const [n, h, w] = raw.shape;
    const delta = tf.mul(tf.tanh(tf.slice(raw, [0, 0, 0, 0], [n, h, w, 3])), 2);
    const mask = tf.sigmoid(tf.slice(raw, [0, 0, 0, 3], [n, h, w, 1])) as tf.Tensor4D;
    return { image: tf.add(x, tf.mul(mask, delta)), mask };
  }

  dispose(): void {
    this.net.dispose();
  }
}

/**
 * Receptive field in pixels of one output score (kernel 4 everywhere, stride 2 for the first
 * nLayers convs): 70 for nLayers 3. Instance norm adds image-wide statistics on top of it.
 */
export function patchReceptiveField(nLayers: number): number {
  let r = 4; // head: k4 s1
  for (let i = nLayers; i >= 0; i--) r = (r - 1) * (i < nLayers ? 2 : 1) + 4;
  return r;
}

export class AgeDiscriminator {
  readonly params: ParamStore;
  readonly conditioning: DiscriminatorConditioning;
  private readonly net: PatchGan;

  constructor(config: CycleGanConfig, seed = config.seed + 100) {
    const { ndf, nLayers, conditioning } = config.discriminator;
    const g = config.domains.length;
    this.conditioning = conditioning;
    this.net = new PatchGan(
      { inChannels: 3, condChannels: conditioning === 'channels' ? g : 0, ndf, nLayers, headChannels: conditioning === 'projection' ? 1 + g : 1 },
      'D',
      seed,
    );
    this.params = this.net.params;
  }

  /** x: [N, H, W, 3]; code: [N, G]. Returns patch scores [N, h, w, 1]. */
  apply(x: tf.Tensor4D, code: tf.Tensor2D): tf.Tensor4D {
    return this.score(this.features(x, code), code);
  }

  /** Patch features [N, h+1, w+1, C]; with projection they do not depend on the code. */
  features(x: tf.Tensor4D, code: tf.Tensor2D): tf.Tensor4D {
    return this.net.features(x, this.conditioning === 'channels' ? code : null);
  }

  /**
   * Scores of features for a code. With projection the same features can be scored under
   * several codes (real faces at their own and at a wrong age) for one feature pass.
   */
  score(h: tf.Tensor4D, code: tf.Tensor2D): tf.Tensor4D {
    const o = this.net.scores(h);
    if (this.conditioning !== 'projection') return o;
    const [n, oh, ow, c] = o.shape;
    const uncond = tf.slice(o, [0, 0, 0, 0], [n, oh, ow, 1]);
    const perAge = tf.slice(o, [0, 0, 0, 1], [n, oh, ow, c - 1]);
    const proj = tf.sum(tf.mul(perAge, tf.reshape(code, [n, 1, 1, c - 1])), 3, true);
    return tf.add(uncond, proj);
  }

  dispose(): void {
    this.net.dispose();
  }
}
