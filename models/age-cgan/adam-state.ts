/**
 * Complete tf.train.adam state on disk, so a resumed run is bit-identical to an uninterrupted one.
 * Besides the moments and iteration count that getWeights() exposes, Adam keeps the running
 * products beta1^t and beta2^t; setWeights() recomputes them with pow(), which differs from the
 * running product in the last float32 bits, so we store and restore them too.
 * Moments are matched to variables by position (the varList order of minimize), not by name.
 */
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../nn/atomic-write';

interface AdamFile {
  format: 'face-age-adam';
  version: 1;
  iterations: number;
  accBeta1: number;
  accBeta2: number;
  /** In getWeights() order: first moments, then second moments. */
  slots: Array<{ name: string; shape: number[]; offset: number; length: number }>;
}

/** The two private running products of tfjs' AdamOptimizer. */
function products(opt: tf.AdamOptimizer): { accBeta1: tf.Variable; accBeta2: tf.Variable } {
  const o = opt as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (!o.accBeta1 || !o.accBeta2) throw new Error('not a tfjs 4 AdamOptimizer');
  return { accBeta1: o.accBeta1, accBeta2: o.accBeta2 };
}

export async function saveAdam(opt: tf.AdamOptimizer, dir: string, name: string): Promise<void> {
  const [iter, ...slots] = await opt.getWeights(); // slots are the optimizer's own variables
  const iterations = (await iter.tensor.data())[0];
  iter.tensor.dispose();
  const { accBeta1, accBeta2 } = products(opt);
  const file: AdamFile = {
    format: 'face-age-adam',
    version: 1,
    iterations,
    accBeta1: (await accBeta1.data())[0],
    accBeta2: (await accBeta2.data())[0],
    slots: [],
  };
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const s of slots) {
    const v = (await s.tensor.data()) as Float32Array;
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
    file.slots.push({ name: s.name, shape: s.tensor.shape.slice(), offset, length: bytes.length });
    parts.push(bytes);
    offset += bytes.length;
  }
  await writeFileAtomic(path.join(dir, `${name}.bin`), Buffer.concat(parts));
  await writeFileAtomic(path.join(dir, `${name}.json`), JSON.stringify(file));
}

export async function loadAdam(opt: tf.AdamOptimizer, dir: string, name: string): Promise<void> {
  const file = JSON.parse(await fs.readFile(path.join(dir, `${name}.json`), 'utf8')) as AdamFile;
  if (file.format !== 'face-age-adam' || file.version !== 1) throw new Error(`${dir}/${name}.json is not an Adam state file`);
  const bin = await fs.readFile(path.join(dir, `${name}.bin`));
  const named: Array<{ name: string; tensor: tf.Tensor }> = [{ name: 'iter', tensor: tf.scalar(file.iterations, 'int32') }];
  for (const s of file.slots) {
    const copy = new Uint8Array(bin.subarray(s.offset, s.offset + s.length));
    named.push({ name: s.name, tensor: tf.tensor(new Float32Array(copy.buffer), s.shape) });
  }
  await opt.setWeights(named);
  tf.dispose(named.map((t) => t.tensor)); // setWeights made its own variables
  const { accBeta1, accBeta2 } = products(opt);
  tf.tidy(() => {
    accBeta1.assign(tf.scalar(file.accBeta1));
    accBeta2.assign(tf.scalar(file.accBeta2));
  });
}
