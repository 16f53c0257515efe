/**
 * FR of the paper's identity-preserving optimisation: face-api's 128-d face recognition network
 * (a ResNet-34-style net after dlib), run from the package's own weight files by a differentiable
 * forward written on tfjs-core, so tf.grad can flow from a descriptor back to G's input z.
 * face-api's own FaceRecognitionNet.forwardInput works on its NetInput inside a tidy and is not
 * meant to be differentiated; this forward reproduces its arithmetic (checked against it in
 * tests/unit/models/face/identity-net.test.ts).
 *
 * Shapes: faces [N, H, W, 3] in [-1, 1] -> RGB 0..255 resized to 150x150 -> mean-subtracted / 255
 *   -> conv7 s2 [N,72,72,32] -> maxpool3 s2 [N,35,35,32] -> 3 residual(32) -> down(64) [N,17,17,64]
 *   -> 3 residual(64) -> down(128) [N,8,8,128] -> 2 residual(128) -> down(256) [N,4,4,256]
 *   -> 2 residual(256) -> down(256) [N,2,2,256] -> mean over H, W -> fc -> [N, 128].
 * Descriptors of the same person lie within Euclidean distance ~0.6 (face-api's threshold).
 */
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const MEAN_RGB = [122.782, 117.001, 104.298];
const MODEL_FILE = 'face_recognition_model-weights_manifest.json';

/** Folder holding face-api's weight files inside the installed package. */
export function defaultFaceApiModelDir(): string {
  const from = typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'noop.js');
  return path.join(path.dirname(createRequire(from).resolve('@vladmandic/face-api/package.json')), 'model');
}

type Weights = Record<string, tf.Tensor>;

export class FaceRecognizer {
  private constructor(private readonly w: Weights, readonly inputSize: number) {}

  /** Loads the weights (a few MB, dequantised to float32 tensors owned by this object). */
  static async load(modelDir = defaultFaceApiModelDir(), inputSize = 150): Promise<FaceRecognizer> {
    const manifest = JSON.parse(await fs.readFile(path.join(modelDir, MODEL_FILE), 'utf8')) as tf.io.WeightsManifestConfig;
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: Buffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const p of group.paths) buffers.push(await fs.readFile(path.join(modelDir, p)));
    }
    const all = Buffer.concat(buffers);
    const ab = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
    const w = tf.io.decodeWeights(ab, specs) as Weights;
    if (!w['fc'] || !w['conv32_down/conv/filters']) throw new Error(`${modelDir}/${MODEL_FILE} is not face-api's recognition net`);
    return new FaceRecognizer(w, inputSize);
  }

  private conv(x: tf.Tensor4D, name: string, stride: 1 | 2, relu: boolean, pad: 'same' | 'valid'): tf.Tensor4D {
    const w = this.w;
    let y = tf.conv2d(x, w[`${name}/conv/filters`] as tf.Tensor4D, stride, pad);
    y = tf.add(y, w[`${name}/conv/bias`]);
    // Folded batch norm: per-channel scale and shift.
    y = tf.add(tf.mul(y, w[`${name}/scale/weights`]), w[`${name}/scale/biases`]);
    return relu ? tf.relu(y) : y;
  }

  private residual(x: tf.Tensor4D, name: string): tf.Tensor4D {
    const y = this.conv(this.conv(x, `${name}/conv1`, 1, true, 'same'), `${name}/conv2`, 1, false, 'same');
    return tf.relu(tf.add(y, x));
  }

  /** Halves H, W (valid conv s2); the shortcut is a 2x2 average pool, zero-padded in channels and size. */
  private residualDown(x: tf.Tensor4D, name: string): tf.Tensor4D {
    let y = this.conv(this.conv(x, `${name}/conv1`, 2, true, 'valid'), `${name}/conv2`, 1, false, 'same');
    let short = tf.avgPool(x, 2, 2, 'valid');
    if (short.shape[1] !== y.shape[1] || short.shape[2] !== y.shape[2]) {
      // From 8x8 and 4x4 the valid strided conv gives one row/column fewer than the pool;
      // like face-api, pad the conv branch with zeros at the bottom and right.
      y = tf.pad(y, [[0, 0], [0, short.shape[1] - y.shape[1]], [0, short.shape[2] - y.shape[2]], [0, 0]]);
    }
    const extra = y.shape[3] - short.shape[3];
    if (extra > 0) short = tf.pad(short, [[0, 0], [0, 0], [0, 0], [0, extra]]);
    return tf.relu(tf.add(short, y));
  }

  /** Differentiable descriptors: faces [N, H, W, 3] in [-1, 1] -> [N, 128]. */
  describe(faces: tf.Tensor4D): tf.Tensor2D {
    const s = this.inputSize;
    let x = tf.mul(tf.add(faces, 1), 127.5) as tf.Tensor4D;
    if (x.shape[1] !== s || x.shape[2] !== s) x = tf.image.resizeBilinear(x, [s, s], false, false);
    x = tf.div(tf.sub(x, MEAN_RGB), 255);
    x = this.conv(x, 'conv32_down', 2, true, 'valid');
    x = tf.maxPool(x, 3, 2, 'valid');
    for (const b of ['conv32_1', 'conv32_2', 'conv32_3']) x = this.residual(x, b);
    x = this.residualDown(x, 'conv64_down');
    for (const b of ['conv64_1', 'conv64_2', 'conv64_3']) x = this.residual(x, b);
    x = this.residualDown(x, 'conv128_down');
    for (const b of ['conv128_1', 'conv128_2']) x = this.residual(x, b);
    x = this.residualDown(x, 'conv256_down');
    for (const b of ['conv256_1', 'conv256_2']) x = this.residual(x, b);
    x = this.residualDown(x, 'conv256_down_out');
    return tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, this.w['fc'] as tf.Tensor2D);
  }

  dispose(): void {
    tf.dispose(Object.values(this.w));
  }
}

/** Euclidean distance per row of two [N, 128] descriptor sets. */
export function descriptorDistance(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.sqrt(tf.sum(tf.squaredDifference(a, b), 1));
}
