/**
 * The wasm training kernels (models/backend/wasm-kernels) and every kernel gradient the networks
 * use, checked against the cpu backend on random shapes: strides 1 and 2, same/valid/explicit
 * padding, odd sizes, batch > 1. Tolerance: 1e-4 relative to the largest magnitude.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../models/backend/select';
import { relErr } from '../../../helpers/engine-helpers';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}
function randArray(n: number, seed: number): Float32Array {
  const r = lcg(seed);
  return Float32Array.from({ length: n }, r);
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);


/** Runs f on both backends with the same inputs; returns the flattened outputs per backend. */
async function onBoth(inputs: Array<{ shape: number[]; seed: number }>, f: (...xs: tf.Tensor[]) => tf.Tensor[]) {
  const out: Record<string, Float32Array[]> = {};
  for (const be of ['cpu', 'wasm']) {
    await tf.setBackend(be);
    const xs = inputs.map((i) => tf.tensor(randArray(size(i.shape), i.seed), i.shape));
    const ys = f(...xs);
    out[be] = await Promise.all(ys.map(async (y) => (await y.data()) as Float32Array));
    tf.dispose([...xs, ...ys]);
  }
  await tf.setBackend('wasm');
  return out;
}

async function expectSame(inputs: Array<{ shape: number[]; seed: number }>, f: (...xs: tf.Tensor[]) => tf.Tensor[], tol = 1e-4) {
  const r = await onBoth(inputs, f);
  expect(r.wasm.length).toBe(r.cpu.length);
  r.wasm.forEach((w, i) => expect(relErr(w, r.cpu[i])).toBeLessThan(tol));
}

type Pad = 'same' | 'valid' | number;
interface ConvCase {
  b: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  s: number | [number, number];
  pad: Pad;
}

const convCases: ConvCase[] = [];
for (const s of [1, 2]) {
  for (const pad of ['same', 'valid', 1] as Pad[]) {
    for (const k of [1, 3, 4, 7]) convCases.push({ b: 1 + (k % 2), h: 7 + k + s, w: 6 + 2 * k, ci: 3 + (k % 3), co: 2 + k, k, s, pad });
  }
}
convCases.push({ b: 2, h: 11, w: 9, ci: 4, co: 6, k: 3, s: [2, 1], pad: 'same' });
convCases.push({ b: 1, h: 17, w: 17, ci: 16, co: 24, k: 4, s: 2, pad: 'valid' });
// Phase plans with shifted phases (Conv2DBackpropInput): every pad from 0 to k - 1, strides 2 and 3,
// odd and even kernel sizes, odd input sizes.
// Conv2DBackpropFilter has two forms split at 16 output channels: both on every stride/pad/batch mix.
for (const s of [1, 2]) {
  for (const pad of ['same', 'valid', 1] as Pad[]) {
    for (const k of [3, 4]) convCases.push({ b: 1 + (k % 2), h: 6 + k + s, w: 5 + 2 * k, ci: 5, co: 16 + k, k, s, pad });
  }
}
for (const [k, s] of [[2, 2], [4, 2], [5, 2], [3, 3], [4, 3], [6, 3]]) {
  for (let p = 0; p < k; p++) convCases.push({ b: 1, h: 8 + k + p, w: 9 + 2 * p, ci: 3 + p, co: 2 + k, k, s, pad: p });
}

beforeAll(async () => {
  const info = await initBackend({ backend: 'wasm', threads: 2 });
  expect(info.name).toBe('wasm');
});

describe('wasm conv kernels vs cpu', () => {
  it.each(convCases)('Conv2DBackpropFilter and Conv2DBackpropInput %o', async (c) => {
    const xs: [number, number, number, number] = [c.b, c.h, c.w, c.ci];
    const ws: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
    const probe = tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(ws) as tf.Tensor4D, c.s, c.pad);
    const ys = probe.shape;
    probe.dispose();
    await expectSame(
      [
        { shape: xs, seed: 1 },
        { shape: ws, seed: 2 },
        { shape: ys, seed: 3 },
      ],
      (x, w, dy) => {
        const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC' };
        return [
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: ws }) as tf.Tensor,
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xs }) as tf.Tensor,
        ];
      },
    );
  });

  it('conv2d and conv2dTranspose gradients (tf.grads) match cpu', async () => {
    for (const [s, pad] of [
      [1, 'same'],
      [2, 'same'],
      [2, 'valid'],
    ] as Array<[number, 'same' | 'valid']>) {
      await expectSame(
        [
          { shape: [2, 9, 10, 5], seed: 4 },
          { shape: [3, 3, 5, 7], seed: 5 },
          { shape: [3, 3, 6, 5], seed: 6 },
        ],
        (x, w, wt) => {
          const [n, h, wd] = x.shape;
          const outH = pad === 'same' ? h * s : (h - 1) * s + 3;
          const outW = pad === 'same' ? wd * s : (wd - 1) * s + 3;
          const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
            tf.add(
              tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad))),
              tf.sum(tf.sin(tf.conv2dTranspose(a as tf.Tensor4D, c as tf.Tensor4D, [n, outH, outW, 6], s, pad))),
            ) as tf.Scalar;
          return tf.grads(f)([x, w, wt]);
        },
      );
    }
  });
});

describe('BatchMatMul with transposes (matMul gradients) on wasm', () => {
  it.each([
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 7, 5], [2, 3, 7], true, true],
  ] as Array<[number[], number[], boolean, boolean]>)('%o x %o tA=%s tB=%s, and dense-layer gradients', async (as, bs, ta, tb) => {
    await expectSame(
      [
        { shape: as, seed: 41 },
        { shape: bs, seed: 42 },
      ],
      (a, b) => [tf.matMul(a, b, ta, tb), ...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.sin(tf.matMul(x, y, ta, tb))))([a, b])],
    );
  });
});

describe('gradients of the other kernels the networks use, wasm vs cpu', () => {
  const x4 = { shape: [2, 7, 9, 4], seed: 11 };
  const grad1 = (f: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor) => [f(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), tf.sin(t.shape.length === 4 ? f(t) : f(t)))))(x)];
  const cases: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
    ['MirrorPad reflect', (x) => tf.mirrorPad(x, [[0, 0], [2, 1], [3, 2], [0, 0]], 'reflect')],
    ['MirrorPad symmetric', (x) => tf.mirrorPad(x, [[0, 0], [1, 2], [2, 0], [0, 0]], 'symmetric')],
    ['PadV2', (x) => tf.pad(x, [[0, 0], [1, 1], [2, 1], [0, 0]])],
    ['LeakyRelu', (x) => tf.leakyRelu(x, 0.2)],
    ['Relu', (x) => tf.relu(x)],
    ['Tanh', (x) => tf.tanh(x)],
    ['Sigmoid', (x) => tf.sigmoid(x)],
    ['Max', (x) => tf.max(x, [1, 2], true)],
    ['Mean', (x) => tf.mean(x, [1, 2], true)],
    ['moments / instance norm', (x) => {
      const { mean, variance } = tf.moments(x, [1, 2], true);
      return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    }],
    ['Abs, Square, SquaredDifference', (x) => tf.add(tf.abs(x), tf.squaredDifference(tf.square(x), 0.1))],
    ['Concat + Tile', (x) => tf.concat([x, tf.tile(tf.slice(x, [0, 0, 0, 0], [2, 7, 9, 1]), [1, 1, 1, 3])], 3)],
    ['AvgPool', (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same')],
  ];
  it.each(cases)('%s', async (_name, f) => {
    await expectSame([x4], grad1(f));
  });
});

describe('MirrorPad gradient is the true adjoint', () => {
  // Reference: the same padding written as gathers, whose gradient (a scatter-add) tfjs gets right.
  function reflectIndex(n: number, a: number, b: number, offset: number): number[] {
    const idx: number[] = [];
    for (let j = -a; j < n + b; j++) idx.push(j < 0 ? -j - 1 + offset : j >= n ? 2 * n - j - 1 - offset : j);
    return idx;
  }
  it.each([
    ['reflect', 1],
    ['symmetric', 0],
  ] as Array<['reflect' | 'symmetric', number]>)('%s', async (mode, offset) => {
    await tf.setBackend('cpu');
    const x = tf.tensor(randArray(2 * 5 * 6 * 3, 21), [2, 5, 6, 3]);
    const wts = tf.tensor(randArray(2 * 8 * 9 * 3, 22), [2, 8, 9, 3]);
    const pads: Array<[number, number]> = [[0, 0], [2, 1], [1, 2], [0, 0]];
    const viaKernel = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mirrorPad(t, pads, mode), wts)))(x);
    const viaGather = tf.grad((t: tf.Tensor) => {
      const rows = tf.gather(t, tf.tensor1d(reflectIndex(5, 2, 1, offset), 'int32'), 1);
      const cols = tf.gather(rows, tf.tensor1d(reflectIndex(6, 1, 2, offset), 'int32'), 2);
      return tf.sum(tf.mul(cols, wts));
    })(x);
    const a = await viaKernel.data();
    const b = await viaGather.data();
    expect(relErr(a, b)).toBeLessThan(1e-6);
    tf.dispose([x, wts, viaKernel, viaGather]);
    await tf.setBackend('wasm');
  });
});

describe('resize gradients on wasm vs a direct scatter-add reference', () => {
  // tfjs 4.22's cpu backend gets both resize gradients wrong (bilinear: H and W swapped for
  // non-square images; nearest: wrong cells), so the reference here is written out in full.
  function ref(kind: 'bilinear' | 'nearest', dy: Float32Array, [n, ih, iw, c]: number[], oh: number, ow: number, align: boolean) {
    const dx = new Float32Array(n * ih * iw * c);
    const scale = (i: number, o: number) => (align && o > 1 ? (i - 1) / (o - 1) : i / o);
    const sy = scale(ih, oh);
    const sx = scale(iw, ow);
    const add = (b: number, y: number, x: number, g: number, k: number) => (dx[((b * ih + y) * iw + x) * c + k] += g);
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          for (let k = 0; k < c; k++) {
            const g = dy[((b * oh + y) * ow + x) * c + k];
            if (kind === 'nearest') {
              const yi = Math.min(ih - 1, align ? Math.round(y * sy) : Math.floor(y * sy));
              const xi = Math.min(iw - 1, align ? Math.round(x * sx) : Math.floor(x * sx));
              add(b, yi, xi, g, k);
              continue;
            }
            const fy = y * sy;
            const fx = x * sx;
            const y0 = Math.floor(fy);
            const x0 = Math.floor(fx);
            const y1 = Math.min(ih - 1, Math.ceil(fy));
            const x1 = Math.min(iw - 1, Math.ceil(fx));
            const ly = fy - y0;
            const lx = fx - x0;
            add(b, y0, x0, g * (1 - ly) * (1 - lx), k);
            add(b, y0, x1, g * (1 - ly) * lx, k);
            add(b, y1, x0, g * ly * (1 - lx), k);
            add(b, y1, x1, g * ly * lx, k);
          }
        }
      }
    }
    return dx;
  }
  it.each([
    ['bilinear', 14, 17, false],
    ['bilinear', 13, 5, true],
    ['bilinear', 3, 4, false],
    ['nearest', 14, 18, false],
    ['nearest', 11, 5, true],
  ] as Array<['bilinear' | 'nearest', number, number, boolean]>)('%s to %ix%i, alignCorners %s', async (kind, oh, ow, align) => {
    const xShape = [2, 7, 9, 3];
    const dyv = randArray(2 * oh * ow * 3, 31);
    const x = tf.tensor4d(randArray(size(xShape), 32), xShape as [number, number, number, number]);
    const dy = tf.tensor(dyv, [2, oh, ow, 3]);
    const g = tf.grad((t: tf.Tensor) => {
      const y = kind === 'bilinear' ? tf.image.resizeBilinear(t as tf.Tensor4D, [oh, ow], align) : tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [oh, ow], align);
      return tf.sum(tf.mul(y, dy));
    })(x);
    expect(g.shape).toEqual(xShape);
    expect(relErr(await g.data(), ref(kind, dyv, xShape, oh, ow, align))).toBeLessThan(1e-5);
    tf.dispose([x, dy, g]);
  });
});
