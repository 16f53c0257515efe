/**
 * Gradient corrections (and faster gradients) registered for every backend.
 *
 * MirrorPad: tfjs 4.22's gradient only slices the centre of dy, dropping what the mirrored border
 * cells contribute back to the cells they copy (wrong at every reflection-padded border, i.e. in
 * every ResNet block). The adjoint of mirror padding along one axis (sizes: x n, pads a | b,
 * offset o = 1 for 'reflect', 0 for 'symmetric') is
 *   dx = dy[a : a+n] + placeAt(o, reverse(dy[0 : a])) + placeAt(n - b - o, reverse(dy[a+n : a+n+b])),
 * and padding along several axes is a composition of one-axis paddings, so the per-axis adjoints
 * compose too. (Exported for tests; backends with the fused kernel use FaceAgeMirrorPadGrad.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasFusedKernel, LEAKY_RELU_GRAD, MIRROR_PAD_GRAD } from './fused-kernels';

export function mirrorPadAdjoint(dy: tf.Tensor, xShape: number[], paddings: Array<[number, number]>, offset: number): tf.Tensor {
  let g = dy;
  for (let axis = 0; axis < xShape.length; axis++) {
    const [a, b] = paddings[axis];
    if (a === 0 && b === 0) continue;
    const n = xShape[axis];
    const rank = xShape.length;
    const begin = (start: number) => g.shape.map((_, i) => (i === axis ? start : 0));
    const size = (len: number) => g.shape.map((d, i) => (i === axis ? len : d));
    const placeAt = (t: tf.Tensor, at: number) => {
      const pads = Array.from({ length: rank }, (_, i): [number, number] => (i === axis ? [at, n - at - t.shape[axis]] : [0, 0]));
      return tf.pad(t, pads);
    };
    let next = tf.slice(g, begin(a), size(n));
    if (a > 0) next = tf.add(next, placeAt(tf.reverse(tf.slice(g, begin(0), size(a)), axis), offset));
    if (b > 0) next = tf.add(next, placeAt(tf.reverse(tf.slice(g, begin(a + n), size(b)), axis), n - b - offset));
    g = next;
  }
  return g;
}

export function registerGradientFixes(): void {
  tf.registerGradient({
    kernelName: 'MirrorPad',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      const { paddings, mode } = attrs as unknown as { paddings: Array<[number, number]>; mode: 'reflect' | 'symmetric' };
      const offset = mode === 'reflect' ? 1 : 0;
      const padded = paddings.map(([a, b], i) => (a || b ? i : -1)).filter((i) => i >= 0);
      const adjacent = padded.length <= 1 || (padded.length === 2 && padded[1] === padded[0] + 1);
      if (hasFusedKernel(MIRROR_PAD_GRAD) && adjacent) {
        return { x: () => tf.engine().runKernel(MIRROR_PAD_GRAD, { dy: dy as tf.Tensor }, { xShape: x.shape, paddings, mode }) as tf.Tensor };
      }
      return { x: () => mirrorPadAdjoint(dy as tf.Tensor, x.shape, paddings, offset) };
    },
  });

  // ReLU / LeakyReLU: same formulas as tfjs (x > 0 ? dy : alpha * dy; ReLU: alpha 0, and 0 at x == 0),
  // in one fused pass where the backend has the kernel.
  const activationGrad = (kernelName: 'Relu' | 'LeakyRelu', fallback: (dy: tf.Tensor, x: tf.Tensor, alpha: number) => tf.Tensor) =>
    tf.registerGradient({
      kernelName,
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const x = saved[0];
        const alpha = kernelName === 'Relu' ? 0 : (attrs as unknown as { alpha: number }).alpha;
        const g = dy as tf.Tensor;
        if (hasFusedKernel(LEAKY_RELU_GRAD)) return { x: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { dy: g, x }, { alpha }) as tf.Tensor };
        return { x: () => fallback(g, x, alpha) };
      },
    });
  activationGrad('Relu', (dy, x) => tf.mul(dy, tf.cast(tf.step(x), 'float32')));
  activationGrad('LeakyRelu', (dy, x, alpha) => tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha)));
}
