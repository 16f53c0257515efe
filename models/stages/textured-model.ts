/**
 * The wrapper every model with a texture stage runs through (models/registry.ts applies it when a
 * model folder has texture.json): the inner model's change plus the texture stage's change.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EvaluableModel } from '../core/trainer';
import { PrototypeAgingModel } from '../recipes/prototype/model';
import { shrinkByArea, type TextureStage } from './texture';

/**
 * A model with the texture stage on top: its output (resized to the faces' size) plus the texture
 * change of the faces themselves, so the change shown on a photo carries both. With strength 0 it
 * adds nothing, but the studio still ages the face at its size in the photo (cropSizeFor).
 */
export class TexturedAgingModel implements EvaluableModel {
  readonly kind: string;
  readonly resolution: number;

  constructor(readonly inner: EvaluableModel, readonly texture: TextureStage) {
    this.kind = inner.kind;
    this.resolution = inner.resolution;
  }

  async age(
    faces: tf.Tensor4D,
    sourceAge: number,
    targetAge: number,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ output: tf.Tensor4D; reconstruction: tf.Tensor4D | null }> {
    // A model that transfers its change (it has a reconstruction) runs on the face shrunk to its
    // own resolution by area averaging, as alignFace would have cut it; the prototype (no
    // reconstruction: its output is the face itself) works at any size.
    const [, h, w] = faces.shape;
    const r = this.inner.resolution;
    const shrink = !(this.inner instanceof PrototypeAgingModel) && (h > r || w > r);
    const input = shrink ? shrinkByArea(faces, r) : faces;
    let res: { output: tf.Tensor4D; reconstruction: tf.Tensor4D | null };
    try {
      res = await this.inner.age(input, sourceAge, targetAge, opts);
    } finally {
      if (input !== faces) input.dispose();
    }
    const { output: out, reconstruction: rec } = res;
    const fit = (t: tf.Tensor4D) => (t.shape[1] === h && t.shape[2] === w ? t.clone() : tf.image.resizeBilinear(t, [h, w], true));
    const output = tf.tidy(() => {
      const o = fit(out);
      if (this.texture.strength === 0) return o;
      return tf.clipByValue(tf.add(o, this.texture.change(faces, sourceAge, targetAge)), -1, 1) as tf.Tensor4D;
    });
    const reconstruction = rec ? tf.tidy(() => fit(rec)) : null;
    tf.dispose(rec ? [out, rec] : [out]);
    return { output, reconstruction };
  }

  dispose(): void {
    this.inner.dispose();
  }
}
