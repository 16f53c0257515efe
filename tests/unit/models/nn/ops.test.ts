/**
 * models/nn/ops.ts as rewritten for speed keeps the math: fused instance norm == moments-based
 * instance norm, conv with the padding given to the kernel == pad-then-valid conv, the fused
 * MirrorPad adjoint == the op-based one; and whole networks get the same gradients on wasm as on
 * cpu.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../models/backend/select';
import { relErr } from '../../../helpers/engine-helpers';
import { mirrorPadAdjoint } from '../../../../models/backend/grad-fixes';
import { conv2d, instanceNorm } from '../../../../models/nn/ops';
import { INSTANCE_NORM } from '../../../../models/backend/fused-kernels';
import { ResnetGenerator, REFERENCE_GENERATOR } from '../../../../models/nn/resnet-generator';
import { PatchGan, REFERENCE_DISCRIMINATOR } from '../../../../models/nn/patchgan';


async function flat(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => (await t.data()) as Float32Array));
}

beforeAll(async () => {
  const info = await initBackend({ backend: 'wasm', threads: 2 });
  expect(info.name).toBe('wasm');
});

describe.each(['wasm', 'cpu'])('ops on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    expect(tf.getKernel(INSTANCE_NORM, backend)).toBeDefined();
  });

  it('fused instance norm matches the moments formula, values and gradients', async () => {
    const x = tf.randomNormal([2, 9, 7, 5], 0.3, 2, 'float32', 3);
    const w = tf.randomNormal([2, 9, 7, 5], 0, 1, 'float32', 4);
    const loss = (norm: (t: tf.Tensor4D) => tf.Tensor) => (t: tf.Tensor) => tf.sum(tf.mul(tf.square(norm(t as tf.Tensor4D)), w));
    const composite = (t: tf.Tensor4D) => {
      const { mean, variance } = tf.moments(t, [1, 2], true);
      return tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5)));
    };
    const [yF, yC, gF, gC] = await flat([
      instanceNorm(x as tf.Tensor4D),
      composite(x as tf.Tensor4D),
      tf.grad(loss((t) => instanceNorm(t)))(x),
      tf.grad(loss(composite))(x),
    ]);
    expect(relErr(yF, yC)).toBeLessThan(1e-5);
    expect(relErr(gF, gC)).toBeLessThan(1e-4);
  });

  it('conv2d with zero padding in the kernel and a fused bias equals pad + valid conv + add', async () => {
    for (const [k, stride, p] of [
      [3, 2, 1],
      [4, 2, 1],
      [4, 1, 1],
      [3, 1, 1],
    ]) {
      const x = tf.randomNormal([1, 11, 10, 3], 0, 1, 'float32', k);
      const w = tf.randomNormal([k, k, 3, 4], 0, 1, 'float32', 10 + k);
      const b = tf.randomNormal([4], 0, 1, 'float32', 20 + k);
      const ours = (a: tf.Tensor, f: tf.Tensor, c: tf.Tensor) => tf.sum(tf.sin(conv2d(a as tf.Tensor4D, f as tf.Tensor4D, c as tf.Tensor1D, stride, 'zero', p)));
      const plain = (a: tf.Tensor, f: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.sin(tf.add(tf.conv2d(tf.pad(a, [[0, 0], [p, p], [p, p], [0, 0]]) as tf.Tensor4D, f as tf.Tensor4D, stride, 'valid'), c)));
      const a = await flat(tf.grads(ours)([x, w, b]));
      const e = await flat(tf.grads(plain)([x, w, b]));
      a.forEach((g, i) => expect(relErr(g, e[i])).toBeLessThan(1e-4));
      expect(relErr(await ours(x, w, b).data(), await plain(x, w, b).data())).toBeLessThan(1e-5);
    }
  });

  it('ReLU and LeakyReLU gradients (fused) equal the tfjs formulas', async () => {
    const x = tf.concat([tf.randomNormal([2, 5, 6, 3], 0, 1, 'float32', 7), tf.zeros([1, 5, 6, 3])]);
    const dy = tf.randomNormal([3, 5, 6, 3], 0, 1, 'float32', 8);
    const relu = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), dy)))(x);
    const leaky = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, 0.2), dy)))(x);
    const expRelu = tf.mul(dy, tf.cast(tf.step(x), 'float32'));
    const expLeaky = tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.2));
    expect(relErr(await relu.data(), await expRelu.data())).toBe(0);
    expect(relErr(await leaky.data(), await expLeaky.data())).toBe(0);
  });

  it('the fused MirrorPad adjoint equals the op-based one', async () => {
    const x = tf.randomNormal([2, 6, 7, 3], 0, 1, 'float32', 5);
    for (const mode of ['reflect', 'symmetric'] as const) {
      const pads: Array<[number, number]> = [[0, 0], [3, 1], [2, 3], [0, 0]];
      const dy = tf.randomNormal([2, 10, 12, 3], 0, 1, 'float32', 6);
      const fused = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mirrorPad(t, pads, mode), dy)))(x);
      const ops = mirrorPadAdjoint(dy, x.shape, pads, mode === 'reflect' ? 1 : 0);
      expect(relErr(await fused.data(), await ops.data())).toBeLessThan(1e-6);
    }
  });
});

describe('whole networks: wasm gradients equal cpu gradients', () => {
  it('small ResNet generator + PatchGAN, all parameters', async () => {
    const grads: Record<string, Float32Array[]> = {};
    for (const be of ['cpu', 'wasm']) {
      await tf.setBackend(be);
      const g = new ResnetGenerator({ ...REFERENCE_GENERATOR, ngf: 8, nBlocks: 2 }, 'G', 1);
      const d = new PatchGan({ ...REFERENCE_DISCRIMINATOR, ndf: 8 }, 'D', 2);
      const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
      const vars = [...g.params.variables(), ...d.params.variables()];
      const { grads: gs } = tf.variableGrads(() => {
        const fake = tf.tanh(g.apply(x));
        return tf.add(tf.mean(tf.square(tf.sub(d.apply(fake), 1))), tf.mean(tf.abs(tf.sub(fake, x)))) as tf.Scalar;
      }, vars);
      grads[be] = await flat(vars.map((v) => gs[v.name]));
      tf.dispose([x, ...Object.values(gs)]);
      g.dispose();
      d.dispose();
    }
    expect(grads.wasm.length).toBe(grads.cpu.length);
    // Deep nets accumulate float32 rounding differences (XNNPACK vs plain JS summation order).
    // Biases followed by instance norm have an exact gradient of 0 (the norm removes any per-channel
    // constant), so both backends return rounding noise there: errors are measured against
    // max(|grad|, 1e-3 * the largest gradient of the network); tolerance 1e-3 (kernels alone: 1e-4).
    const scale = Math.max(...grads.cpu.map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    grads.wasm.forEach((gw, i) => {
      const gc = grads.cpu[i];
      let num = 0;
      let den = 1e-3 * scale;
      for (let j = 0; j < gc.length; j++) {
        num = Math.max(num, Math.abs(gw[j] - gc[j]));
        den = Math.max(den, Math.abs(gc[j]));
      }
      expect(num / den).toBeLessThan(1e-3);
    });
  });
});
