/**
 * Saves and restores tf.train.adam state (iteration count, first and second moments) so that a
 * resumed run takes exactly the steps the uninterrupted run would have taken. Adam keeps its
 * moments by position in the variable list, so the file stores them in that order; variable names
 * (which carry a process-wide counter) are not relied on.
 */
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../nn/atomic-write';

interface OptimizerManifest {
  format: 'face-age-optimizer';
  version: 1;
  iterations: number;
  /** Adam's running beta powers: recomputing them as beta^t differs in the last bits. */
  accBeta?: [number, number];
  tensors: Array<{ name: string; shape: number[]; offset: number; length: number }>;
}

/** tf's AdamOptimizer keeps beta1^t and beta2^t in private variables. */
type AdamInternals = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };

export async function saveOptimizer(opt: tf.Optimizer, dir: string, name: string): Promise<void> {
  const weights = await opt.getWeights();
  const iterTensor = weights.find((w) => w.name === 'iter');
  const iterations = iterTensor ? (await iterTensor.tensor.data())[0] : 0;
  iterTensor?.tensor.dispose();
  const tensors: OptimizerManifest['tensors'] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const w of weights) {
    if (w.name === 'iter') continue;
    const data = (await w.tensor.data()) as Float32Array;
    const bytes = Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    tensors.push({ name: w.name, shape: w.tensor.shape.slice(), offset, length: bytes.length });
    chunks.push(bytes);
    offset += bytes.length;
  }
  const internals = opt as unknown as AdamInternals;
  const accBeta: [number, number] | undefined =
    internals.accBeta1 && internals.accBeta2
      ? [(await internals.accBeta1.data())[0], (await internals.accBeta2.data())[0]]
      : undefined;
  const manifest: OptimizerManifest = { format: 'face-age-optimizer', version: 1, iterations, accBeta, tensors };
  await writeFileAtomic(path.join(dir, `${name}.bin`), Buffer.concat(chunks));
  await writeFileAtomic(path.join(dir, `${name}.json`), JSON.stringify(manifest));
}

/** Restores state saved by saveOptimizer into a fresh optimizer of the same kind. */
export async function loadOptimizer(opt: tf.Optimizer, dir: string, name: string): Promise<void> {
  const manifest = JSON.parse(await fs.readFile(path.join(dir, `${name}.json`), 'utf8')) as OptimizerManifest;
  if (manifest.format !== 'face-age-optimizer' || manifest.version !== 1) {
    throw new Error(`${dir}/${name}.json is not an optimizer state file`);
  }
  const bin = await fs.readFile(path.join(dir, `${name}.bin`));
  const named: Array<{ name: string; tensor: tf.Tensor }> = [{ name: 'iter', tensor: tf.scalar(manifest.iterations, 'int32') }];
  for (const t of manifest.tensors) {
    const raw = bin.subarray(t.offset, t.offset + t.length);
    const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    named.push({ name: t.name, tensor: tf.tensor(values, t.shape) });
  }
  await opt.setWeights(named);
  // setWeights copies each tensor into a new variable; the inputs are ours to free.
  tf.dispose(named.map((n) => n.tensor));
  const internals = opt as unknown as AdamInternals;
  const acc = manifest.accBeta;
  if (acc && internals.accBeta1 && internals.accBeta2) {
    tf.tidy(() => {
      internals.accBeta1?.assign(tf.scalar(acc[0]));
      internals.accBeta2?.assign(tf.scalar(acc[1]));
    });
  }
}
