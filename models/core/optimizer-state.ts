/**
 * Optimizer state on disk (tf.train.adam and any other tfjs optimizer), so a resumed run takes
 * exactly the steps the uninterrupted run would have taken:
 *  - the iteration count and the optimizer's slot variables (Adam: first moments, then second
 *    moments), in getWeights() order: Adam keeps them by position in the minimize() variable list,
 *    and variable names carry a process-wide counter, so names are stored but not relied on;
 *  - Adam's private running products beta1^t and beta2^t: setWeights() recomputes them with pow(),
 *    which differs from the running product in the last float32 bits.
 *
 * Files: <name>.bin (float32 slots, concatenated) and <name>.json, written atomically. Writes the
 * 'face-age-optimizer' v1 manifest; also reads the 'face-age-adam' v1 manifest that Age-cGAN
 * checkpoints used before the two savers were merged (same data, other field names).
 */
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-write';

interface Slot {
  name: string;
  shape: number[];
  /** Byte offset and length in <name>.bin. */
  offset: number;
  length: number;
}

interface OptimizerManifest {
  format: 'face-age-optimizer';
  version: 1;
  iterations: number;
  /** Adam's running beta powers [beta1^t, beta2^t]; absent for other optimizers. */
  accBeta?: [number, number];
  tensors: Slot[];
}

/** The Age-cGAN manifest before the merge (read only). */
interface LegacyAdamManifest {
  format: 'face-age-adam';
  version: 1;
  iterations: number;
  accBeta1: number;
  accBeta2: number;
  slots: Slot[];
}

/** tfjs 4's AdamOptimizer keeps beta1^t and beta2^t in private variables. */
type AdamInternals = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };

export async function saveOptimizerState(opt: tf.Optimizer, dir: string, name: string): Promise<void> {
  const weights = await opt.getWeights();
  const iterTensor = weights.find((w) => w.name === 'iter');
  const iterations = iterTensor ? (await iterTensor.tensor.data())[0] : 0;
  iterTensor?.tensor.dispose();
  const tensors: Slot[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const w of weights) {
    if (w === iterTensor) continue;
    const v = (await w.tensor.data()) as Float32Array;
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
    tensors.push({ name: w.name, shape: w.tensor.shape.slice(), offset, length: bytes.length });
    chunks.push(bytes);
    offset += bytes.length;
  }
  const internals = opt as unknown as AdamInternals;
  const accBeta: [number, number] | undefined =
    internals.accBeta1 && internals.accBeta2 ? [(await internals.accBeta1.data())[0], (await internals.accBeta2.data())[0]] : undefined;
  const manifest: OptimizerManifest = { format: 'face-age-optimizer', version: 1, iterations, accBeta, tensors };
  await writeFileAtomic(path.join(dir, `${name}.bin`), Buffer.concat(chunks));
  await writeFileAtomic(path.join(dir, `${name}.json`), JSON.stringify(manifest));
}

/** Both manifests as one shape. */
function readManifest(raw: unknown, where: string): { iterations: number; accBeta?: [number, number]; slots: Slot[] } {
  const m = raw as Partial<Omit<OptimizerManifest, 'format'>> & Partial<Omit<LegacyAdamManifest, 'format'>> & { format?: string };
  if (m.format === 'face-age-optimizer' && m.version === 1 && Array.isArray(m.tensors)) {
    return { iterations: m.iterations ?? 0, accBeta: m.accBeta, slots: m.tensors };
  }
  if (m.format === 'face-age-adam' && m.version === 1 && Array.isArray(m.slots)) {
    return { iterations: m.iterations ?? 0, accBeta: [m.accBeta1 as number, m.accBeta2 as number], slots: m.slots };
  }
  throw new Error(`${where} is not an optimizer state file`);
}

/** Restores state saved by saveOptimizerState (or the older Age-cGAN saver) into a fresh optimizer of the same kind. */
export async function loadOptimizerState(opt: tf.Optimizer, dir: string, name: string): Promise<void> {
  const where = `${dir}/${name}.json`;
  const manifest = readManifest(JSON.parse(await fs.readFile(path.join(dir, `${name}.json`), 'utf8')), where);
  const bin = await fs.readFile(path.join(dir, `${name}.bin`));
  const named: Array<{ name: string; tensor: tf.Tensor }> = [{ name: 'iter', tensor: tf.scalar(manifest.iterations, 'int32') }];
  for (const s of manifest.slots) {
    const copy = new Uint8Array(bin.subarray(s.offset, s.offset + s.length));
    named.push({ name: s.name, tensor: tf.tensor(new Float32Array(copy.buffer), s.shape) });
  }
  await opt.setWeights(named);
  // setWeights copies each tensor into a new variable; the inputs are ours to free.
  tf.dispose(named.map((n) => n.tensor));
  const internals = opt as unknown as AdamInternals;
  const acc = manifest.accBeta;
  if (acc && internals.accBeta1 && internals.accBeta2) {
    const { accBeta1, accBeta2 } = internals;
    tf.tidy(() => {
      accBeta1.assign(tf.scalar(acc[0]));
      accBeta2.assign(tf.scalar(acc[1]));
    });
  }
}
