/**
 * The training-free aging pipeline, one face crop at a time, at the crop's own size (the studio
 * aligns each face at its size in the photo, up to 512 px):
 *
 *   landmarks L (given, or found on the crop)  ->  shape stage: warp L toward the target age's shape T
 *   -> appearance stage: shape-normalised mean-face change, fitted to the person, drawn at T
 *   -> texture stage: the face's own fine detail rescaled by age (prototype-texture.ts)
 *   -> hair stage: scalp hair, brows and beard greyed / darkened, beard faded for children
 *
 * Its output is the whole crop (reconstruction null) and it asks paste-back for the 'crop' mask:
 * every stage already leaves the crop's outer band untouched, so the blend there is seamless while
 * the face's outline (jaw, forehead) may move.
 *
 * Folder: meta.json (format 'face-age-engineered', options), shape-means.json, appearance.json/.bin,
 * texture.json/.bin, and optionally refiner/: a CycleGAN trained on shape-normalised faces with the
 * mean faces as its prior (generator.prior 'engineered'); with it the appearance change is the
 * network's (person-specific) instead of the plain difference of means.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { detectLandmarks } from '../face/landmarks';
import { estimateAgeAndDescriptor } from '../face/estimate';
import { CANONICAL_FACE_RECT } from '../face/template';
import { loadTextureStage, type TextureStage } from './texture';
import { changeOnFace, DEFAULT_APPEARANCE, isGreyscale, outlineMask, referenceChange, type AppearanceOptions } from './appearance/appearance-change';
import { loadAppearanceMeans, type AppearanceMeans } from './appearance/normalised-means';
import { DEFAULT_HAIR, hairChange, type HairOptions } from './hair/hair-stage';
import { personMask } from './hair/segmentation';
import { SHAPE_LENGTH } from './shape/face-points';
import { parseShapeMeans, type ShapeMeans } from './shape/shape-means';
import { targetShape, warpToShape } from './shape/shape-stage';
import { controlPoints } from './shape/face-points';
import { denseMap, fitTps, remap } from './shape/tps';
import { gaussianBlur } from '../recipes/prototype/filters';
import { loadCycleGanModel } from '../recipes/cyclegan/model';
import { loadAgeCganModel } from '../recipes/age-cgan/model';
import type { AgingModel } from '../core/trainer';

export const ENGINEERED_FORMAT = 'face-age-engineered';

export interface EngineeredOptions {
  /** Multiplies the mean-shape difference (0: no shape change). */
  shapeStrength: number;
  /** false: ignore a refiner/ folder and use the means' appearance change. */
  refiner?: boolean;
  appearance: AppearanceOptions;
  hair: HairOptions;
}

export const DEFAULT_ENGINEERED: EngineeredOptions = { shapeStrength: 1.0, appearance: DEFAULT_APPEARANCE, hair: DEFAULT_HAIR };

export interface EngineeredMeta {
  format: typeof ENGINEERED_FORMAT;
  version: 1;
  kind: 'engineered';
  resolution: number;
  options: EngineeredOptions;
  data?: Record<string, unknown>;
  createdAt: string;
}

/** Per-face hints the caller may already have (the engine knows landmarks and sex from import). */
export interface FaceHints {
  /** 68 landmarks in unit crop coordinates (136 numbers), one per face of the batch. */
  landmarks?: ArrayLike<number>[];
  /** 0 male, 1 female, null unknown; one per face. */
  genders?: (number | null)[];
}

export class EngineeredAgingModel {
  readonly kind = 'engineered' as const;
  /** The means' size; faces of any size are aged at their own size. */
  readonly resolution: number;
  readonly pasteMask = 'crop' as const;
  private readonly refMask: Float32Array;

  constructor(
    readonly shapes: ShapeMeans,
    readonly appearance: AppearanceMeans,
    readonly texture: TextureStage | null,
    readonly options: EngineeredOptions,
    /** The learned appearance change in the reference frame (refiner/), or null for the means'. */
    readonly refiner: AgingModel | null = null,
  ) {
    this.resolution = appearance.size;
    this.refMask = outlineMask(appearance.reference, appearance.size, 2);
  }

  async age(
    faces: tf.Tensor4D,
    sourceAge: number,
    targetAge: number,
    opts: { signal?: AbortSignal } & FaceHints = {},
  ): Promise<{ output: tf.Tensor4D; reconstruction: tf.Tensor4D | null }> {
    const [N, S, W] = faces.shape;
    if (S !== W) throw new Error('engineered model: faces must be square crops');
    const all = (await faces.data()) as Float32Array;
    const out = new Float32Array(all.length);
    const per = S * S * 3;
    for (let n = 0; n < N; n++) {
      opts.signal?.throwIfAborted();
      const face = all.subarray(n * per, (n + 1) * per);
      const hints = await this.cachedHints(face, S, opts.landmarks?.[n], opts.genders?.[n]);
      const learned = this.refiner ? await this.learnedChange(face, S, hints.shape, sourceAge, targetAge) : null;
      const aged = this.ageOne(face, S, sourceAge, targetAge, hints.shape, hints.gender, hints.person, learned);
      out.set(aged, n * per);
    }
    let output = tf.tensor4d(out, [N, S, S, 3]);
    if (this.texture && this.texture.strength > 0) {
      const textured = tf.tidy(() => tf.clipByValue(tf.add(output, this.texture!.change(output, sourceAge, targetAge)), -1, 1) as tf.Tensor4D);
      output.dispose();
      output = textured;
    }
    return { output, reconstruction: null };
  }

  /**
   * What a face needs measured once, whatever the target age (a slider asks for many ages of one
   * crop): landmarks, sex and the person mask, kept for the last few crops seen.
   */
  private readonly perFace = new Map<string, Promise<{ shape: ArrayLike<number>; gender: number | null; person: Float32Array | null }>>();

  private cachedHints(face: Float32Array, S: number, landmarks?: ArrayLike<number>, gender?: number | null) {
    let h = 0x811c9dc5;
    const step = Math.max(1, Math.floor(face.length / 4096));
    for (let i = 0; i < face.length; i += step) h = Math.imul(h ^ Math.round(face[i] * 1000), 16777619);
    const key = `${S}:${h >>> 0}:${landmarks ? Array.from(landmarks, (v) => v.toFixed(4)).join(',') : ''}:${gender ?? ''}`;
    let p = this.perFace.get(key);
    if (!p) {
      p = (async () => {
        const hints = await this.hintsFor(face, S, landmarks, gender);
        const person = this.options.hair.strength > 0 ? await personMask(face, S) : null;
        return { ...hints, person };
      })();
      p.catch(() => this.perFace.delete(key));
      if (this.perFace.size >= 8) this.perFace.delete(this.perFace.keys().next().value as string);
      this.perFace.set(key, p);
    }
    return p;
  }

  /** Landmarks (unit) and sex of one crop ([-1, 1] floats): the hints, or measured on the crop. */
  async hintsFor(face: Float32Array, S: number, landmarks?: ArrayLike<number>, gender?: number | null): Promise<{ shape: ArrayLike<number>; gender: number | null }> {
    if (landmarks && landmarks.length === SHAPE_LENGTH && gender !== undefined) return { shape: landmarks, gender };
    const bytes = Uint8Array.from(face, (v) => Math.max(0, Math.min(255, Math.round((v + 1) * 127.5))));
    let shape: ArrayLike<number> | undefined = landmarks && landmarks.length === SHAPE_LENGTH ? landmarks : undefined;
    if (!shape) {
      const r = CANONICAL_FACE_RECT;
      const pts = await detectLandmarks({ width: S, height: S, data: bytes }, { x: r.x * S, y: r.y * S, width: r.width * S, height: r.height * S });
      shape = Float32Array.from(pts.flatMap((p) => [p.x / S, p.y / S]));
    }
    let g = gender;
    if (g === undefined) {
      const est = await estimateAgeAndDescriptor({ size: S, data: bytes });
      g = est.genderProbability >= 0.7 ? (est.gender === 'male' ? 0 : 1) : null;
    }
    return { shape, gender: g };
  }

  /**
   * The refiner's change in the reference frame, grey levels [R, R, 3] (R = the means' size): the
   * face warped onto the reference shape at R, through the CycleGAN (output minus its own
   * reconstruction at the source age), made to keep the person's tone and limited to the face.
   */
  async learnedChange(face: Float32Array, S: number, shape: ArrayLike<number>, sourceAge: number, targetAge: number): Promise<Float32Array> {
    const R = this.appearance.size;
    // Low-pass before sampling a large crop down to R, against aliasing.
    const src = S > 1.5 * R ? gaussianBlur(face, S, (0.5 * S) / R, 3) : face;
    const tps = fitTps(controlPoints(this.appearance.reference), controlPoints(shape), 1e-4);
    const norm = remap(src, R, denseMap(tps, R, { sourceSize: S }), 3, S);
    const x = tf.tensor4d(norm, [1, R, R, 3]);
    let d: Float32Array;
    try {
      const { output, reconstruction } = await this.refiner!.age(x, sourceAge, targetAge);
      const o = (await output.data()) as Float32Array;
      const r = reconstruction ? ((await reconstruction.data()) as Float32Array) : norm;
      output.dispose();
      reconstruction?.dispose();
      d = new Float32Array(o.length);
      for (let i = 0; i < d.length; i++) d[i] = (o[i] - r[i]) * 127.5;
    } finally {
      x.dispose();
    }
    const grey = isGreyscale(norm, 2 / 255);
    const mask = this.refMask;
    const mean = [0, 0, 0];
    let wsum = 0;
    for (let p = 0; p < R * R; p++) wsum += mask[p];
    for (let p = 0; p < R * R; p++) {
      if (grey) {
        const y = 0.299 * d[3 * p] + 0.587 * d[3 * p + 1] + 0.114 * d[3 * p + 2];
        d[3 * p] = d[3 * p + 1] = d[3 * p + 2] = y;
      }
      for (let c = 0; c < 3; c++) mean[c] += (mask[p] * d[3 * p + c]) / Math.max(1e-6, wsum);
    }
    const k = this.options.appearance.learnedStrength ?? 1;
    for (let p = 0; p < R * R; p++) for (let c = 0; c < 3; c++) d[3 * p + c] = k * (d[3 * p + c] - mean[c]) * mask[p];
    return d;
  }

  /**
   * One crop, [-1, 1] floats [S, S, 3] -> aged, same layout (texture excluded). `learned`: the
   * refiner's reference-frame change (learnedChange) in place of the means'.
   */
  ageOne(
    face: Float32Array,
    S: number,
    sourceAge: number,
    targetAge: number,
    shape: ArrayLike<number>,
    gender: number | null,
    person: Float32Array | null = null,
    learned: Float32Array | null = null,
  ): Float32Array {
    const o = this.options;
    const target = o.shapeStrength > 0 ? targetShape(this.shapes, shape, sourceAge, targetAge, gender, o.shapeStrength) : Float32Array.from(shape);
    const warped = o.shapeStrength > 0 ? warpToShape(face, S, shape, target) : Float32Array.from(face);
    // Appearance, in grey levels, then to [-1, 1] units.
    // The face's mean brightness, over its outline drawn at a coarse size (a mean needs no detail).
    const M = Math.min(S, 64);
    const faceMask = outlineMask(target, M, 1);
    let luma = 0;
    let wsum = 0;
    for (let q = 0; q < M * M; q++) {
      if (faceMask[q] === 0) continue;
      const p = Math.min(S - 1, Math.floor(((Math.floor(q / M) + 0.5) * S) / M)) * S + Math.min(S - 1, Math.floor((((q % M) + 0.5) * S) / M));
      const y = 0.299 * warped[3 * p] + 0.587 * warped[3 * p + 1] + 0.114 * warped[3 * p + 2];
      luma += faceMask[q] * (y + 1) * 127.5;
      wsum += faceMask[q];
    }
    luma /= Math.max(1e-6, wsum);
    const grey = isGreyscale(warped, 2 / 255);
    const ref = learned ?? referenceChange(this.appearance, this.refMask, sourceAge, targetAge, gender, luma, grey, o.appearance);
    const change = changeOnFace(ref, this.appearance.size, this.appearance.reference, target, S);
    const out = new Float32Array(warped.length);
    for (let i = 0; i < out.length; i++) out[i] = warped[i] + change[i] / 127.5;
    hairChange(out, S, target, sourceAge, targetAge, grey, o.hair, person);
    for (let i = 0; i < out.length; i++) out[i] = Math.max(-1, Math.min(1, out[i]));
    return out;
  }

  dispose(): void {
    this.refiner?.dispose();
  }
}

/**
 * The learned appearance stage: a CycleGAN (generator.prior 'engineered') or an Age-cGAN, trained on
 * shape-normalised faces with the mean faces as teacher; both give output and reconstruction.
 */
async function loadRefiner(dir: string): Promise<AgingModel> {
  const meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as { kind?: string };
  if (meta.kind === 'cyclegan') return loadCycleGanModel(dir);
  if (meta.kind === 'age-cgan') return loadAgeCganModel(dir);
  throw new Error(`${dir}: a refiner must be a CycleGAN or an Age-cGAN (kind ${String(meta.kind)})`);
}

/** Sub-folder of an engineered model holding its learned appearance stage. */
export const REFINER_DIR = 'refiner';

export async function loadEngineeredModel(dir: string, override: Partial<EngineeredOptions> = {}): Promise<EngineeredAgingModel> {
  const meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as EngineeredMeta;
  if (meta.format !== ENGINEERED_FORMAT) throw new Error(`${dir}: not an engineered aging model`);
  const shapes = parseShapeMeans(JSON.parse(await fs.readFile(path.join(dir, 'shape-means.json'), 'utf8')));
  const appearance = await loadAppearanceMeans(dir);
  if (!appearance) throw new Error(`${dir}: appearance means missing`);
  const texture = existsSync(path.join(dir, 'texture.json')) ? await loadTextureStage(dir) : null;
  const options: EngineeredOptions = {
    ...DEFAULT_ENGINEERED,
    ...meta.options,
    ...override,
    appearance: { ...DEFAULT_APPEARANCE, ...meta.options?.appearance, ...override.appearance },
    hair: { ...DEFAULT_HAIR, ...meta.options?.hair, ...override.hair },
  };
  const refinerDir = path.join(dir, REFINER_DIR);
  const refiner = options.refiner !== false && existsSync(path.join(refinerDir, 'meta.json')) ? await loadRefiner(refinerDir) : null;
  return new EngineeredAgingModel(shapes, appearance, texture, options, refiner);
}
