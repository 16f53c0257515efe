/**
 * Texture transfer for the prototype: how much fine skin detail faces of each age have, and where.
 *
 * A mean face keeps shape, colour and shading, but averaging hundreds of faces cancels their fine
 * detail (wrinkles, creases, skin grain do not line up from face to face), so the plain prototype
 * difference cannot add lines to a face or take them away. What does survive averaging is the
 * *amount* of detail at each place (in the spirit of Tiddeman, Burt & Perrett's texture-aware
 * prototypes, 2001): for every face, the local amplitude of two fine luminance bands is averaged
 * per age group. Ageing a face then rescales the face's own detail in each band by the ratio of
 * the target group's amplitude to the source group's, place by place: crow's feet, forehead and
 * nasolabial lines get stronger towards old age and smoother towards youth, and since only the
 * person's own detail is rescaled, nothing of another face is printed on theirs.
 *
 * Maps are stored at MAP_SIZE (they are smooth: the amplitude is blurred at AMPLITUDE_SIGMA) and
 * band sigmas are in pixels of the means' crop (128 px), scaled to whatever size a face is aged at,
 * so the detail rescaled is the photo's own at full resolution when the face is aligned that large.
 *
 * The stage is not tied to the prototype: any model folder with texture.json (TEXTURE_FORMAT) +
 * texture.bin gets it on top of its own change when loaded (models/registry.ts wraps it in
 * TexturedAgingModel, stages/textured-model.ts), so a 64 px GAN's change of shape and colour is combined with full-resolution
 * detail. The maps are built with the prototype's means (computeMeanFaces textureMaps).
 */
import { promises as fs, existsSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '../core/atomic-write';
import { faceMask, gaussianKernel } from '../recipes/prototype/filters';
import { blendByAge } from '../recipes/prototype/means';
import { AMPLITUDE_SIGMA, TEXTURE_BANDS, TEXTURE_SIGMAS, mapSizeFor } from './texture-maps';

export { AMPLITUDE_SIGMA, TEXTURE_BANDS, TEXTURE_SIGMAS, detailAmplitudes, mapSizeFor } from './texture-maps';

/** Amplitudes below this (in [-1, 1] pixel units) count as this, so flat regions give no wild ratios. */
const AMPLITUDE_FLOOR = 0.004;
/**
 * Band amplitude (in [-1, 1] units, ~2 grey levels) under which detail is noise to an amplifying
 * gain: it is left as it is instead of multiplied.
 */
export const CORING = 0.016;
/** Per-band gain limits: never more than 3x the detail, never less than a third. */
const GAIN_MIN = 1 / 3;
const GAIN_MAX = 3;

/**
 * Gain of each band at each map cell for ageing from amplitudes `from` to `to` (both [bands*M*M]):
 * ((to + floor) / (from + floor)) ^ strength, clamped, and faded to 1 outside the face mask.
 * Returned channels-last, [M*M*bands], ready to become an [1, M, M, bands] tensor.
 */
export function textureGains(from: Float32Array, to: Float32Array, M: number, strength: number): Float32Array {
  const mask = faceMask(M);
  const out = new Float32Array(M * M * TEXTURE_BANDS);
  for (let b = 0; b < TEXTURE_BANDS; b++) {
    for (let q = 0; q < M * M; q++) {
      const ratio = (to[b * M * M + q] + AMPLITUDE_FLOOR) / (from[b * M * M + q] + AMPLITUDE_FLOOR);
      const g = Math.min(GAIN_MAX, Math.max(GAIN_MIN, Math.pow(ratio, strength)));
      out[q * TEXTURE_BANDS + b] = 1 + mask[q] * (g - 1);
    }
  }
  return out;
}

/** Separable Gaussian blur of [N, H, W, 1] with zero padding; sigma in pixels of this size. */
export function blurTensor(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
  if (sigma <= 0) return x;
  const k = gaussianKernel(sigma);
  const h = tf.conv2d(x, tf.tensor4d(k, [1, k.length, 1, 1]), 1, 'same');
  return tf.conv2d(h, tf.tensor4d(k, [k.length, 1, 1, 1]), 1, 'same');
}

/**
 * The texture change of faces [N, H, W, 3] in [-1, 1] for per-band gains [M*M*bands] (textureGains):
 * sum over bands of (gain - 1) * band of the luminance, [N, H, W, 1] (the same on every channel
 * when added to the faces, so colour noise is not amplified). `size` is the means' size, which the
 * band sigmas refer to. Call inside tf.tidy.
 */
export function textureChange(faces: tf.Tensor4D, gains: Float32Array, M: number, size: number): tf.Tensor4D {
  const [, h, w] = faces.shape;
  const scale = h / size;
  const lum = tf.sum(tf.mul(faces, tf.tensor1d([0.299, 0.587, 0.114])), 3, true) as tf.Tensor4D;
  // Gaussian levels by cascade (each blurs the one before by the missing sigma). A level already
  // smooth at sigma >= 2 px is shrunk by that many pixels (at most 4) before it is blurred further
  // and enlarged again: at 512 px the coarse band costs an eighth of blurring at full size.
  const levels: tf.Tensor4D[] = [lum];
  let prevSigma = 0;
  for (let k = 1; k < TEXTURE_SIGMAS.length; k++) {
    const sigma = TEXTURE_SIGMAS[k] * scale;
    const step = Math.sqrt(sigma * sigma - prevSigma * prevSigma);
    const f = Math.max(1, Math.min(4, Math.floor(prevSigma)));
    const prev = levels[k - 1];
    levels.push(
      f >= 2
        ? tf.image.resizeBilinear(blurTensor(tf.avgPool(prev, f, f, 'same'), step / f), [h, w], false, true)
        : blurTensor(prev, step),
    );
    prevSigma = sigma;
  }
  let g: tf.Tensor4D = tf.tensor4d(gains, [1, M, M, TEXTURE_BANDS]);
  if (M !== h || M !== w) g = tf.image.resizeBilinear(g, [h, w], false, true);
  const parts = tf.split(tf.sub(g, 1), TEXTURE_BANDS, 3) as tf.Tensor4D[];
  let change: tf.Tensor4D = tf.zerosLike(lum);
  for (let b = 0; b < TEXTURE_BANDS; b++) {
    const band = tf.sub(levels[b], levels[b + 1]);
    // Where detail is amplified (gain > 1), only what stands above the noise floor is: a crease
    // is, JPEG blocks, sensor grain and faint freckles are not (coring, as in denoisers), so an
    // old target deepens lines without printing speckle. Smoothing (gain < 1) takes all of it.
    const cored = tf.sub(band, tf.clipByValue(band, -CORING, CORING));
    change = tf.add(change, tf.add(tf.mul(tf.relu(parts[b]), cored), tf.mul(tf.minimum(parts[b], 0), band)));
  }
  return change;
}

export const TEXTURE_FORMAT = 'face-age-texture';
const TEXTURE_JSON = 'texture.json';
const TEXTURE_BIN = 'texture.bin';

export interface TextureMeta {
  format: typeof TEXTURE_FORMAT;
  version: 1;
  /** Exponent of the amplitude ratio (0: the stage is off). */
  strength: number;
  /** Side of the crops the band sigmas refer to (the means' size). */
  referenceSize: number;
  /** Age of each map set (the mean faces' anchor ages), ascending. */
  anchors: number[];
  bands: number;
  mapSize: number;
  sigmas: number[];
  amplitudeSigma: number;
  /** float32 little-endian, anchors in order, [bands, mapSize, mapSize] each. */
  file: string;
  /** Free-form provenance (dataset, split, balance). */
  data?: Record<string, unknown>;
}

/** The texture transfer of one model: amplitude maps by age and a strength. */
export class TextureStage {
  private readonly cache = new Map<string, Float32Array>();
  readonly mapSize: number;

  constructor(
    readonly anchors: readonly number[],
    readonly maps: readonly Float32Array[],
    readonly referenceSize: number,
    readonly strength: number,
  ) {
    this.mapSize = mapSizeFor(referenceSize);
    const per = TEXTURE_BANDS * this.mapSize ** 2;
    if (anchors.length === 0 || anchors.length !== maps.length) throw new Error('texture: one map set per anchor age is needed');
    if (maps.some((m) => m.length !== per)) throw new Error(`texture: every map set must hold ${per} values`);
    for (let i = 1; i < anchors.length; i++) if (!(anchors[i] > anchors[i - 1])) throw new Error('texture: anchor ages must ascend');
    if (!(strength >= 0 && Number.isFinite(strength))) throw new Error('texture: strength must be a number >= 0');
  }

  /** Amplitude maps of `age`, interpolated between the anchors like the mean faces. */
  amplitudesAt(age: number): Float32Array {
    return blendByAge(this.anchors, this.maps, age);
  }

  /** textureGains for (source, target), cached. */
  gains(sourceAge: number, targetAge: number): Float32Array {
    const key = `${sourceAge.toFixed(2)}:${targetAge.toFixed(2)}`;
    let g = this.cache.get(key);
    if (!g) {
      g = textureGains(this.amplitudesAt(sourceAge), this.amplitudesAt(targetAge), this.mapSize, this.strength);
      if (this.cache.size > 256) this.cache.clear();
      this.cache.set(key, g);
    }
    return g;
  }

  /** The texture change of faces [N, H, W, 3] in [-1, 1], [N, H, W, 1]. Call inside tf.tidy. */
  change(faces: tf.Tensor4D, sourceAge: number, targetAge: number): tf.Tensor4D {
    return textureChange(faces, this.gains(sourceAge, targetAge), this.mapSize, this.referenceSize);
  }
}

/** A texture stage from mean faces built with texture maps (computeMeanFaces textureMaps). */
export function textureStageFromMeans(
  means: ReadonlyArray<{ anchorAge: number; texture?: Float32Array }>,
  referenceSize: number,
  strength: number,
): TextureStage {
  const sorted = [...means].sort((a, b) => a.anchorAge - b.anchorAge);
  if (sorted.some((m) => !m.texture)) throw new Error('texture: these mean faces were built without texture maps (--texture-maps)');
  return new TextureStage(sorted.map((m) => m.anchorAge), sorted.map((m) => m.texture as Float32Array), referenceSize, strength);
}

/** Writes texture.bin, then texture.json (so the stage is complete exactly when texture.json exists). */
export async function saveTextureStage(dir: string, stage: TextureStage, data?: Record<string, unknown>): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const per = stage.maps[0].length;
  const all = new Float32Array(per * stage.maps.length);
  stage.maps.forEach((m, i) => all.set(m, i * per));
  await writeFileAtomic(path.join(dir, TEXTURE_BIN), Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  const meta: TextureMeta = {
    format: TEXTURE_FORMAT,
    version: 1,
    strength: stage.strength,
    referenceSize: stage.referenceSize,
    anchors: stage.anchors.map((a) => Number(a.toFixed(3))),
    bands: TEXTURE_BANDS,
    mapSize: stage.mapSize,
    sigmas: [...TEXTURE_SIGMAS],
    amplitudeSigma: AMPLITUDE_SIGMA,
    file: TEXTURE_BIN,
    ...(data ? { data } : {}),
  };
  await writeFileAtomic(path.join(dir, TEXTURE_JSON), JSON.stringify(meta, null, 1));
}

/** The folder's texture stage, or null when it has none; `strength` overrides the saved one. */
export async function loadTextureStage(dir: string, strength?: number): Promise<TextureStage | null> {
  const file = path.join(dir, TEXTURE_JSON);
  if (!existsSync(file)) return null;
  const meta = JSON.parse(await fs.readFile(file, 'utf8')) as TextureMeta;
  if (meta.format !== TEXTURE_FORMAT || meta.version !== 1) throw new Error(`${file} is not a texture stage this version reads`);
  const sameLayout = meta.bands === TEXTURE_BANDS && meta.amplitudeSigma === AMPLITUDE_SIGMA &&
    meta.sigmas.length === TEXTURE_SIGMAS.length && meta.sigmas.every((v, i) => v === TEXTURE_SIGMAS[i]) &&
    meta.mapSize === mapSizeFor(meta.referenceSize);
  if (!sameLayout) throw new Error(`${file}: texture maps of another layout than this version reads`);
  if (path.basename(meta.file) !== meta.file) throw new Error(`${file}: file must be a name inside the folder`);
  const bytes = await fs.readFile(path.join(dir, meta.file));
  const per = meta.bands * meta.mapSize ** 2;
  if (bytes.byteLength !== per * 4 * meta.anchors.length) {
    throw new Error(`${meta.file} holds ${bytes.byteLength} bytes, expected ${per * 4 * meta.anchors.length}`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const maps = meta.anchors.map((_, i) => all.slice(i * per, (i + 1) * per));
  return new TextureStage(meta.anchors, maps, meta.referenceSize, strength ?? meta.strength);
}

/**
 * faces [N, H, W, 3] -> [N, r, r, 3]: averaged over whole blocks first (the largest integer factor
 * that fits), then bilinear to r, so fine detail does not alias into the smaller face.
 */
export function shrinkByArea(faces: tf.Tensor4D, r: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = faces.shape;
    const f = Math.floor(Math.min(h, w) / r);
    const pooled = f >= 2 ? tf.avgPool(faces, f, f, 'valid') : faces;
    return tf.image.resizeBilinear(pooled, [r, r], false, true);
  });
}

/** Copies a model folder's texture stage (if it has one) to another folder, e.g. a fine-tune's export. */
export async function copyTextureStage(fromDir: string, toDir: string): Promise<boolean> {
  const stage = await loadTextureStage(fromDir);
  if (!stage) return false;
  const meta = JSON.parse(await fs.readFile(path.join(fromDir, TEXTURE_JSON), 'utf8')) as TextureMeta;
  await saveTextureStage(toDir, stage, meta.data);
  return true;
}
