/**
 * Inference side: a trained (or exported) CycleGAN generator behind the AgingModel interface.
 * output = G(x, code(target)); reconstruction = G(x, code(source)), so paste-back transfers only
 * the change the model made, not its reconstruction error. An untrained residual generator is
 * exactly the identity, and then reconstruction is null.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AgingModel } from '../train/types';
import { validateCycleGanConfig, type CycleGanConfig } from './config';
import { ageCode } from './age-code';
import { AgeGenerator } from './generator';
import { loadPrior, readCycleGanMeta } from './trainer-io';
import { teacherDeltas, type AgeTeacher } from '../prototype/teacher';

export class CycleGanAgingModel implements AgingModel {
  readonly kind = 'cyclegan' as const;
  readonly resolution: number;

  /** `identityAtSource`: the generator is known to return its input unchanged (untrained). */
  constructor(
    readonly gen: AgeGenerator,
    readonly config: CycleGanConfig,
    private readonly identityAtSource: boolean,
    private readonly ownsGenerator: boolean,
    /** The prototype G refines (config.generator.prior): G's input is clip(x + delta(source, target)). */
    private readonly prior: (AgeTeacher & { dispose?: () => void }) | null = null,
  ) {
    this.resolution = config.resolution;
  }

  private run(faces: tf.Tensor4D, sourceAge: number, age: number): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w] = faces.shape;
      const r = this.resolution;
      let x = h === r && w === r ? faces : tf.image.resizeBilinear(faces, [r, r], true);
      if (this.prior && sourceAge !== age) {
        const d = teacherDeltas(this.prior, [sourceAge], [age], r);
        x = tf.clipByValue(tf.add(x, d), -1, 1) as tf.Tensor4D;
      }
      const code = tf.tile(tf.tensor2d(ageCode(age, this.config.domains), [1, this.config.domains.length]), [n, 1]);
      let y = tf.clipByValue(this.gen.translate(x, code as tf.Tensor2D).image, -1, 1) as tf.Tensor4D;
      if (h !== r || w !== r) y = tf.image.resizeBilinear(y, [h, w], true);
      return y;
    });
  }

  async age(
    faces: tf.Tensor4D,
    sourceAge: number,
    targetAge: number,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ output: tf.Tensor4D; reconstruction: tf.Tensor4D | null }> {
    opts.signal?.throwIfAborted();
    const output = this.run(faces, sourceAge, targetAge);
    if (this.identityAtSource) return { output, reconstruction: null };
    // Let an abort between the two passes land before the second one.
    await new Promise((r) => setImmediate(r));
    if (opts.signal?.aborted) {
      output.dispose();
      opts.signal.throwIfAborted();
    }
    const reconstruction = this.run(faces, sourceAge, sourceAge);
    const k = this.config.changeScale ?? 1;
    if (k === 1) return { output, reconstruction };
    // The shown change is output - reconstruction (paste-back); scaling it is the strength knob.
    const scaled = tf.tidy(() => tf.add(reconstruction, tf.mul(tf.sub(output, reconstruction), k)) as tf.Tensor4D);
    output.dispose();
    return { output: scaled, reconstruction };
  }

  dispose(): void {
    if (this.ownsGenerator) {
      this.gen.dispose();
      this.prior?.dispose?.();
    }
  }
}

/** Loads a checkpoint or an exported model folder (meta.json + G.json/G.bin). */
export async function loadCycleGanModel(dir: string): Promise<AgingModel> {
  const meta = await readCycleGanMeta(dir);
  validateCycleGanConfig(meta.config);
  const gen = new AgeGenerator(meta.config);
  try {
    await gen.params.load(dir);
  } catch (err) {
    gen.dispose();
    throw err;
  }
  let prior: Awaited<ReturnType<typeof loadPrior>>;
  try {
    prior = await loadPrior(dir, meta.config);
  } catch (err) {
    gen.dispose();
    throw err;
  }
  const identity = meta.step === 0 && meta.config.generator.output !== 'direct' && !prior;
  return new CycleGanAgingModel(gen, meta.config, identity, true, prior);
}
