/**
 * A named store of trainable tf.Variables, one per network, with a small self-describing file
 * format: `<dir>/<prefix>.json` (manifest: names, shapes, dtype, byte offsets) + `<prefix>.bin`.
 * Weights may be stored as float16 to keep shipped models small; they are always float32 in memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { float16ToFloat32, float32ToFloat16 } from '../core/half';
import { writeFileAtomic } from '../core/atomic-write';

export type StoredDtype = 'float32' | 'float16';

export interface WeightsManifest {
  format: 'face-age-weights';
  version: 1;
  dtype: StoredDtype;
  tensors: Array<{ name: string; shape: number[]; offset: number; length: number }>;
}

/** Seeded normal init N(0, std), as in pix2pix/CycleGAN (std 0.02). */
export type Init = { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };

export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  private seed: number;

  constructor(readonly name: string, seed = 1) {
    this.seed = seed;
  }

  /** Creates (once) the variable `name`. Networks call this in their constructors, never in forward passes. */
  create(name: string, shape: number[], init: Init = { kind: 'normal', std: 0.02 }): tf.Variable {
    const existing = this.vars.get(name);
    if (existing) throw new Error(`parameter ${this.name}/${name} created twice`);
    const value = tf.tidy(() => {
      switch (init.kind) {
        case 'zeros':
          return tf.zeros(shape);
        case 'ones':
          return tf.ones(shape);
        default:
          return tf.randomNormal(shape, 0, init.std, 'float32', this.seed++);
      }
    });
    const v = tf.variable(value, true, `${this.name}/${name}/${ParamStore.counter++}`);
    value.dispose();
    this.vars.set(name, v);
    return v;
  }

  private static counter = 0;

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter ${this.name}/${name}`);
    return v;
  }

  names(): string[] {
    return [...this.vars.keys()];
  }

  /** Variables in a stable order, for optimizer.minimize(f, true, varList). */
  variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  async save(dir: string, dtype: StoredDtype = 'float32'): Promise<void> {
    await fs.mkdir(dir, { recursive: true });
    const tensors: WeightsManifest['tensors'] = [];
    const chunks: Buffer[] = [];
    let offset = 0;
    for (const [name, v] of this.vars) {
      const data = (await v.data()) as Float32Array;
      const bytes =
        dtype === 'float16'
          ? Buffer.from(float32ToFloat16(data).buffer)
          : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      tensors.push({ name, shape: v.shape.slice(), offset, length: bytes.length });
      chunks.push(Buffer.from(bytes));
      offset += bytes.length;
    }
    const manifest: WeightsManifest = { format: 'face-age-weights', version: 1, dtype, tensors };
    // Binary first, manifest last: a manifest only exists once its weights are complete.
    await writeFileAtomic(path.join(dir, `${this.name}.bin`), Buffer.concat(chunks));
    await writeFileAtomic(path.join(dir, `${this.name}.json`), JSON.stringify(manifest, null, 1));
  }

  /** Loads values into the already-created variables; shapes and names must match exactly. */
  async load(dir: string): Promise<void> {
    const manifest = JSON.parse(
      await fs.readFile(path.join(dir, `${this.name}.json`), 'utf8'),
    ) as WeightsManifest;
    if (manifest.format !== 'face-age-weights' || manifest.version !== 1) {
      throw new Error(`${dir}/${this.name}.json is not a face-age weights manifest`);
    }
    const bin = await fs.readFile(path.join(dir, `${this.name}.bin`));
    const seen = new Set<string>();
    for (const t of manifest.tensors) {
      const v = this.get(t.name);
      if (v.shape.join('x') !== t.shape.join('x')) {
        throw new Error(`shape mismatch for ${this.name}/${t.name}: file ${t.shape} vs model ${v.shape}`);
      }
      const raw = bin.subarray(t.offset, t.offset + t.length);
      const ab = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
      const values =
        manifest.dtype === 'float16' ? float16ToFloat32(new Uint16Array(ab)) : new Float32Array(ab);
      tf.tidy(() => v.assign(tf.tensor(values, t.shape)));
      seen.add(t.name);
    }
    const missing = this.names().filter((n) => !seen.has(n));
    if (missing.length) throw new Error(`${dir}/${this.name}.json lacks ${missing.join(', ')}`);
  }

  /** Copies values from another store with the same layout (e.g. EMA or fine-tune start). */
  copyFrom(other: ParamStore): void {
    for (const [name, v] of this.vars) v.assign(other.get(name));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
