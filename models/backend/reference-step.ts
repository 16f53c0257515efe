/**
 * The bench's fixed workload: the reference CycleGAN-style pair from models/nn (ResNet generator,
 * 128x128, 32 base filters, 6 residual blocks, instance norm, reflection padding; 70x70 PatchGAN)
 * and one training step exactly as tools/bench/torch-peer.py does it:
 *   fake = tanh(G(x))                                   x, y: [1, 128, 128, 3] in [-1, 1]
 *   G step: lossG = mean((D(fake) - 1)^2) + 10 * mean|fake - y|     (Adam on G's variables)
 *   D step: lossD = 0.5 * (mean((D(y) - 1)^2) + mean(D(fake)^2))    (Adam on D's variables, fake held fixed)
 */
import * as tf from '@tensorflow/tfjs-core';
import { PatchGan, REFERENCE_DISCRIMINATOR } from '../nn/patchgan';
import { REFERENCE_GENERATOR, ResnetGenerator } from '../nn/resnet-generator';

export interface ReferenceSession {
  /** One image through G; resolves when the pixels are read back. */
  infer(): Promise<void>;
  /** One G update and one D update; resolves with [lossG, lossD] once both are computed. */
  trainStep(): Promise<[number, number]>;
  dispose(): void;
}

export interface ReferenceSessionOptions {
  size?: number;
  /** Generator and discriminator widths (ngf, ndf); defaults are the reference 32 and 64. */
  ngf?: number;
  ndf?: number;
  nBlocks?: number;
}

const L1_WEIGHT = 10;

export function createReferenceSession(opts: ReferenceSessionOptions = {}): ReferenceSession {
  const size = opts.size ?? 128;
  const g = new ResnetGenerator({ ...REFERENCE_GENERATOR, ngf: opts.ngf ?? REFERENCE_GENERATOR.ngf, nBlocks: opts.nBlocks ?? REFERENCE_GENERATOR.nBlocks });
  const d = new PatchGan({ ...REFERENCE_DISCRIMINATOR, ndf: opts.ndf ?? REFERENCE_DISCRIMINATOR.ndf });
  const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  const y = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 8) as tf.Tensor4D;
  const optG = tf.train.adam(2e-4, 0.5, 0.999);
  const optD = tf.train.adam(2e-4, 0.5, 0.999);
  const gVars = g.params.variables();
  const dVars = d.params.variables();
  const generate = (t: tf.Tensor4D) => tf.tanh(g.apply(t));

  return {
    async infer() {
      const out = tf.tidy(() => generate(x));
      await out.data();
      out.dispose();
    },
    async trainStep() {
      let fake: tf.Tensor4D | null = null;
      const lossG = optG.minimize(
        () => {
          const f = generate(x);
          fake = tf.keep(f);
          const adv = tf.mean(tf.square(tf.sub(d.apply(f), 1)));
          return tf.add(adv, tf.mul(L1_WEIGHT, tf.mean(tf.abs(tf.sub(f, y))))) as tf.Scalar;
        },
        true,
        gVars,
      )!;
      const held = fake as unknown as tf.Tensor4D;
      const lossD = optD.minimize(
        () => {
          const real = tf.mean(tf.square(tf.sub(d.apply(y), 1)));
          const gen = tf.mean(tf.square(d.apply(held)));
          return tf.mul(0.5, tf.add(real, gen)) as tf.Scalar;
        },
        true,
        dVars,
      )!;
      held.dispose();
      const [lg, ld] = await Promise.all([lossG.data(), lossD.data()]);
      tf.dispose([lossG, lossD]);
      return [lg[0], ld[0]];
    },
    dispose() {
      tf.dispose([x, y]);
      optG.dispose();
      optD.dispose();
      g.dispose();
      d.dispose();
    },
  };
}
