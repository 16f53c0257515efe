/**
 * Age-cGAN behind the AgingModel interface, the practical way:
 *   1. z0 = E(x)                       (the paper's encoder initialisation)
 *   2. z* = IP-optimise(z0)            (once per face and source age; cached, with progress/abort)
 *   3. output = G(z*, y(target)), reconstruction = G(z*, y(source))
 * Paste-back then adds output - reconstruction to the real photo, so the user's face keeps its own
 * identity and resolution and only the age change comes from G. Slider moves reuse the cached z*
 * and only run G (one batched forward of 2N faces).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import type { AgingModel } from '../../core/trainer';
import type { AgeCganConfig, IpConfig } from './config';
import { conditionsFor, N_AGE_GROUPS } from './condition';
import type { Encoder, Generator } from './networks';
import { FaceRecognizer } from '../../face/identity-net';
import type { IpOptions, IpResult } from './ip-optimise';
import { abortError, optimiseLatent } from './ip-optimise';
import { loadInferenceNets } from './checkpoint';

export interface AgeCganModelOptions {
  /** Overrides of the checkpoint's IP settings (e.g. steps: 0 for encoder-only, fastest). */
  ip?: Partial<IpConfig>;
  /** Folder with face-api's weights; default: the installed @vladmandic/face-api/model. */
  faceApiModelDir?: string;
  /** How many faces' z* to remember (least recently used are dropped). */
  cacheSize?: number;
}

export type AgeOptions = IpOptions;

export class AgeCganAgingModel implements AgingModel {
  readonly kind = 'age-cgan' as const;
  readonly ip: IpConfig;
  /** Result of the last IP optimisation (for reports and the UI). */
  lastIp: IpResult | null = null;
  private readonly cache = new Map<string, Float32Array>();
  private frPromise: Promise<FaceRecognizer> | null = null;

  constructor(
    readonly config: AgeCganConfig,
    readonly G: Generator,
    readonly E: Encoder,
    private readonly opts: AgeCganModelOptions = {},
  ) {
    this.ip = { ...config.ip, ...(opts.ip ?? {}) };
  }

  get resolution(): number {
    return this.config.resolution;
  }

  private recognizer(): Promise<FaceRecognizer> {
    this.frPromise ??= FaceRecognizer.load(this.opts.faceApiModelDir, this.ip.recognitionSize);
    return this.frPromise;
  }

  private cond(age: number, n: number): tf.Tensor2D {
    const c = this.config;
    return tf.tensor2d(conditionsFor(new Array<number>(n).fill(age), true, c.groupCentres), [n, N_AGE_GROUPS]);
  }

  /** Faces at G's resolution, [N, R, R, 3]. */
  private atResolution(faces: tf.Tensor4D): tf.Tensor4D {
    const r = this.config.resolution;
    if (faces.shape[3] !== 3) throw new Error(`faces must be [N, H, W, 3], got ${faces.shape.join('x')}`);
    return tf.tidy(() =>
      faces.shape[1] === r && faces.shape[2] === r ? faces.clone() : tf.image.resizeBilinear(faces, [r, r], true),
    );
  }

  private async keys(x: tf.Tensor4D, sourceAge: number): Promise<string[]> {
    const data = (await x.data()) as Float32Array;
    const per = data.length / x.shape[0];
    const keys: string[] = [];
    for (let i = 0; i < x.shape[0]; i++) {
      const h = createHash('sha1');
      h.update(Buffer.from(data.buffer, data.byteOffset + i * per * 4, per * 4));
      h.update(`|${sourceAge.toFixed(1)}|${this.ip.steps}`);
      keys.push(h.digest('hex'));
    }
    return keys;
  }

  /**
   * Finds z* for faces [N, R', R', 3] (any size; resized to G's) at sourceAge, using the cache.
   * Returns latents [N * zDim] row-major. The expensive step; call it when a face is selected.
   */
  async prepare(faces: tf.Tensor4D, sourceAge: number, opts: AgeOptions = {}): Promise<Float32Array> {
    const zDim = this.config.zDim;
    const x = this.atResolution(faces);
    try {
      const keys = await this.keys(x, sourceAge);
      const missing = keys.map((k, i) => (this.cache.has(k) ? -1 : i)).filter((i) => i >= 0);
      if (missing.length) {
        if (opts.signal?.aborted) throw abortError();
        const xm = tf.tidy(() => tf.gather(x, missing));
        const z0 = tf.tidy(() => this.E.apply(xm));
        const y0 = this.cond(sourceAge, missing.length);
        try {
          let z: Float32Array;
          if (this.ip.steps > 0) {
            const res = await optimiseLatent(this.G, await this.recognizer(), xm, y0, z0, this.ip, opts);
            this.lastIp = res;
            z = res.z;
          } else {
            z = (await z0.data()) as Float32Array;
          }
          missing.forEach((i, j) => this.remember(keys[i], z.slice(j * zDim, (j + 1) * zDim)));
        } finally {
          tf.dispose([xm, z0, y0]);
        }
      }
      const out = new Float32Array(keys.length * zDim);
      keys.forEach((k, i) => {
        const z = this.cache.get(k) as Float32Array;
        this.cache.delete(k); // refresh LRU order
        this.cache.set(k, z);
        out.set(z, i * zDim);
      });
      return out;
    } finally {
      x.dispose();
    }
  }

  private remember(key: string, z: Float32Array): void {
    this.cache.set(key, z);
    const max = this.opts.cacheSize ?? 64;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** G(z, y(targetAge)) and G(z, y(sourceAge)) for latents [N * zDim]: the fast preview path. */
  renderLatents(z: Float32Array, sourceAge: number, targetAge: number): { output: tf.Tensor4D; reconstruction: tf.Tensor4D } {
    const n = z.length / this.config.zDim;
    return tf.tidy(() => {
      const zt = tf.tensor2d(z, [n, this.config.zDim]);
      const both = this.G.apply(tf.concat([zt, zt]), tf.concat([this.cond(targetAge, n), this.cond(sourceAge, n)]));
      const [aged, reconstruction] = tf.split(both, 2) as [tf.Tensor4D, tf.Tensor4D];
      const scale = this.config.changeScale ?? 1;
      // The shown change is output - reconstruction; scaling it is the model's strength knob.
      const output = scale === 1 ? aged : (tf.add(reconstruction, tf.mul(tf.sub(aged, reconstruction), scale)) as tf.Tensor4D);
      return { output, reconstruction };
    });
  }

  async age(
    faces: tf.Tensor4D,
    sourceAge: number,
    targetAge: number,
    opts: AgeOptions = {},
  ): Promise<{ output: tf.Tensor4D; reconstruction: tf.Tensor4D }> {
    if (!Number.isFinite(sourceAge) || !Number.isFinite(targetAge)) throw new Error('ages must be finite numbers');
    const z = await this.prepare(faces, sourceAge, opts);
    if (opts.signal?.aborted) throw abortError();
    const res = this.renderLatents(z, sourceAge, targetAge);
    const [h, w] = [faces.shape[1], faces.shape[2]];
    if (h === this.config.resolution && w === this.config.resolution) return res;
    // Same size as the input, so paste-back can subtract and add pixelwise.
    const up = tf.tidy(() => ({
      output: tf.image.resizeBilinear(res.output, [h, w], true),
      reconstruction: tf.image.resizeBilinear(res.reconstruction, [h, w], true),
    }));
    tf.dispose([res.output, res.reconstruction]);
    return up;
  }

  /** Forgets cached latents (e.g. when a project closes). */
  clearCache(): void {
    this.cache.clear();
  }

  dispose(): void {
    this.G.dispose();
    this.E.dispose();
    this.cache.clear();
    const fr = this.frPromise;
    this.frPromise = null;
    void fr?.then((r) => r.dispose()).catch(() => undefined);
  }
}

/** Loads G and E from a training checkpoint or an exported model folder. */
export async function loadAgeCganModel(dir: string, opts: AgeCganModelOptions = {}): Promise<AgeCganAgingModel> {
  const { config, G, E } = await loadInferenceNets(dir);
  return new AgeCganAgingModel(config, G, E, opts);
}
