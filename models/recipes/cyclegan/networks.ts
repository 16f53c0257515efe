/**
 * Age-conditional generator: a ResNet generator (c7s1, 2 strided convs, residual blocks, 2 up-convs,
 * instance norm) with the age code applied by FiLM after every norm (film-resnet.ts) or, for
 * reference, models/nn's concatenation, plus an output head chosen by config (GeneratorOutput). One network plays both of CycleGAN's generators:
 * G = this at the old code, F = this at the young code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ResnetGenerator } from '../../nn/resnet-generator';
import { FilmResnetGenerator } from '../../nn/film-resnet';
import type { CycleGanConfig, GeneratorOutput } from './config';

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
