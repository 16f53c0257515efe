/**
 * A faster forward pass for face-api's SSD MobileNet v1 detector, the largest cost of importing a
 * photo (about 70% of the analysis on one wasm thread: 27 convolutions at 512 x 512).
 *
 * face-api runs every layer as three kernels: convolution, batch norm (or a bias add) and a clip
 * to [0, 6], each a full pass over the activations. Here the batch norm of the depthwise layers
 * is folded into their filters and a bias once, when the weights are first used, and every layer
 * is one fused kernel (convolution + bias + relu6, which XNNPACK applies in its output loop).
 * Same network, same weights, same decoding of the boxes against the anchors: the boxes and scores
 * match face-api's own pass to float rounding (tests/unit/face-ssd-fused.test.ts). Measured on one
 * wasm thread with 512 x 512 input: the per-layer batch norm, add and clip took about 80 of 450 ms.
 *
 * installFusedSsd() replaces forwardInput on the loaded net instance (locateFaces, its NMS and
 * its scaling are face-api's own); restoreSsd() puts face-api's pass back.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';

// The batch-norm epsilon of the converted TensorFlow graph (float32 of 0.001).
const BN_EPSILON = 0.0010000000474974513;

interface Layer {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  /** Depthwise (true) or ordinary convolution. */
  depthwise: boolean;
  strides: [number, number];
  activation: 'relu6' | 'linear';
}

interface Head {
  box: Layer;
  cls: Layer;
}

interface FusedParams {
  backbone: Layer[];
  /** Index in backbone whose output feeds the first box predictor (pointwise layer of pair 11). */
  conv11At: number;
  extra: Layer[];
  heads: Head[];
  anchors: tf.Tensor2D;
}

type T1 = tf.Tensor1D;
type T4 = tf.Tensor4D;
interface PointwiseP {
  filters: T4;
  batch_norm_offset: T1;
}
interface DepthwiseP {
  filters: T4;
  batch_norm_scale: T1;
  batch_norm_offset: T1;
  batch_norm_mean: T1;
  batch_norm_variance: T1;
}
interface ConvP {
  filters: T4;
  bias: T1;
}
interface SsdParams {
  mobilenetv1: Record<string, PointwiseP | { depthwise_conv: DepthwiseP; pointwise_conv: PointwiseP }>;
  prediction_layer: Record<string, PointwiseP | { box_encoding_predictor: ConvP; class_predictor: ConvP }>;
  output_layer: { extra_dim: tf.Tensor3D };
}

/** MobileNet v1 downsamples in the depthwise layers of these conv pairs. */
const STRIDE_2_PAIRS = new Set([2, 4, 6, 12]);

function pointwise(p: PointwiseP, stride: number): Layer {
  return { filter: p.filters, bias: p.batch_norm_offset, depthwise: false, strides: [stride, stride], activation: 'relu6' };
}

/** Depthwise layer with its batch norm folded in: w' = w * k, b = offset - mean * k, k = scale / sqrt(var + eps). */
function depthwise(p: DepthwiseP, stride: number): Layer {
  const [filter, bias] = tf.tidy(() => {
    const k = tf.div(p.batch_norm_scale, tf.sqrt(tf.add(p.batch_norm_variance, BN_EPSILON)));
    return [tf.mul(p.filters, tf.reshape(k, [1, 1, -1, 1])) as T4, tf.sub(p.batch_norm_offset, tf.mul(p.batch_norm_mean, k)) as T1];
  });
  return { filter, bias, depthwise: true, strides: [stride, stride], activation: 'relu6' };
}

function conv(p: ConvP): Layer {
  return { filter: p.filters, bias: p.bias, depthwise: false, strides: [1, 1], activation: 'linear' };
}

function fuse(params: SsdParams): FusedParams {
  const m = params.mobilenetv1;
  const backbone: Layer[] = [pointwise(m.conv_0 as PointwiseP, 2)];
  let conv11At = -1;
  for (let i = 1; i <= 13; i++) {
    const pair = m[`conv_${i}`] as { depthwise_conv: DepthwiseP; pointwise_conv: PointwiseP };
    backbone.push(depthwise(pair.depthwise_conv, STRIDE_2_PAIRS.has(i) ? 2 : 1), pointwise(pair.pointwise_conv, 1));
    if (i === 11) conv11At = backbone.length - 1;
  }
  const pl = params.prediction_layer;
  // Extra feature layers: pointwise, alternately stride 1 and 2.
  const extra = Array.from({ length: 8 }, (_, i) => pointwise(pl[`conv_${i}`] as PointwiseP, i % 2 === 1 ? 2 : 1));
  const heads = Array.from({ length: 6 }, (_, i) => {
    const h = pl[`box_predictor_${i}`] as { box_encoding_predictor: ConvP; class_predictor: ConvP };
    return { box: conv(h.box_encoding_predictor), cls: conv(h.class_predictor) };
  });
  const anchors = tf.tidy(() => tf.reshape(params.output_layer.extra_dim, [-1, 4]) as tf.Tensor2D);
  return { backbone, conv11At, extra, heads, anchors };
}

function run(x: T4, l: Layer): T4 {
  return l.depthwise
    ? tf.fused.depthwiseConv2d({ x, filter: l.filter, strides: l.strides, pad: 'same', bias: l.bias, activation: l.activation })
    : tf.fused.conv2d({ x, filter: l.filter, strides: l.strides, pad: 'same', bias: l.bias, activation: l.activation });
}

/** Box encodings (ty, tx, th, tw) against anchors (ymin, xmin, ymax, xmax) -> boxes (ymin, xmin, ymax, xmax). */
function decode(anchors: tf.Tensor2D, enc: tf.Tensor2D): tf.Tensor2D {
  const lo = tf.slice(anchors, [0, 0], [-1, 2]);
  const size = tf.sub(tf.slice(anchors, [0, 2], [-1, 2]), lo);
  const centre = tf.add(tf.mul(tf.div(tf.slice(enc, [0, 0], [-1, 2]), 10), size), tf.add(lo, tf.div(size, 2)));
  const half = tf.div(tf.mul(tf.exp(tf.div(tf.slice(enc, [0, 2], [-1, 2]), 5)), size), 2);
  return tf.concat([tf.sub(centre, half), tf.add(centre, half)], 1) as tf.Tensor2D;
}

/** The SSD forward pass on face-api's normalised 512 x 512 batch; output as face-api's forwardInput. */
export function fusedSsdForward(batch: T4, p: FusedParams): { boxes: tf.Tensor2D[]; scores: tf.Tensor1D[] } {
  return tf.tidy(() => {
    const b = batch.shape[0];
    let x = batch;
    let conv11: T4 | null = null;
    p.backbone.forEach((l, i) => {
      x = run(x, l);
      if (i === p.conv11At) conv11 = x;
    });
    const features: T4[] = [conv11!, x];
    let y = x;
    p.extra.forEach((l, i) => {
      y = run(y, l);
      if (i % 2 === 1) features.push(y);
    });
    const enc = tf.concat(features.map((f, i) => tf.reshape(run(f, p.heads[i].box), [b, -1, 4])), 1);
    const cls = tf.concat(features.map((f, i) => tf.reshape(run(f, p.heads[i].cls), [b, -1, 3])), 1);
    const n = enc.shape[1]!;
    const anchors = tf.tile(p.anchors, [b, 1]) as tf.Tensor2D;
    const boxes = tf.reshape(decode(anchors, tf.reshape(enc, [-1, 4]) as tf.Tensor2D), [b, n, 4]);
    const scores = tf.reshape(tf.sigmoid(tf.slice(cls, [0, 0, 1], [-1, -1, 1])), [b, n]);
    return { boxes: tf.unstack(boxes) as tf.Tensor2D[], scores: tf.unstack(scores) as tf.Tensor1D[] };
  });
}

interface NetInputLike {
  toBatchTensor(size: number, center: boolean): T4;
}
interface SsdNet {
  params?: SsdParams;
  forwardInput(input: NetInputLike): { boxes: tf.Tensor2D[]; scores: tf.Tensor1D[] };
}

let fused: { params: SsdParams; fused: FusedParams } | null = null;

function ssdNet(): SsdNet {
  return faceapi.nets.ssdMobilenetv1 as unknown as SsdNet;
}

/** The fused layers for the net's current weights (folded once per set of weights). */
function fusedParams(net: SsdNet): FusedParams {
  if (!net.params) throw new Error('SsdMobilenetv1 - load model before inference');
  if (fused?.params !== net.params) {
    if (fused) for (const l of fused.fused.backbone) if (l.depthwise) tf.dispose([l.filter, l.bias]);
    if (fused) fused.fused.anchors.dispose();
    fused = { params: net.params, fused: fuse(net.params) };
  }
  return fused.fused;
}

/** face-api's forwardInput with the same input preparation (pad to square at the bottom/right, 512 px, -1..1). */
function forwardInput(this: SsdNet, input: NetInputLike): { boxes: tf.Tensor2D[]; scores: tf.Tensor1D[] } {
  const p = fusedParams(this);
  const batch = tf.tidy(() => tf.sub(tf.div(tf.cast(input.toBatchTensor(512, false), 'float32'), 127.5), 1) as T4);
  try {
    return fusedSsdForward(batch, p);
  } finally {
    batch.dispose();
  }
}

/** Makes the loaded SSD net use the fused pass (idempotent). */
export function installFusedSsd(): void {
  const net = ssdNet();
  if (Object.prototype.hasOwnProperty.call(net, 'forwardInput')) return;
  net.forwardInput = forwardInput;
}

/** Puts face-api's own forward pass back (tests compare the two). */
export function restoreSsd(): void {
  delete (ssdNet() as { forwardInput?: unknown }).forwardInput;
}
