/**
 * Benchmark of the face pipeline on big photos: decode, detection + landmarks + alignment,
 * estimates, and paste-back, at 1, 12 and 40 megapixels. The big photos are made at run time by
 * upscaling a committed portrait (never committed themselves). The tfjs backend must be set by the
 * caller (the bench harness does it like the engine).
 */
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImage } from '../../models/image/image-io';
import { alignFace } from '../../models/face/align';
import { locateFaces } from '../../models/face/analyze';
import { estimateAgeAndDescriptor } from '../../models/face/estimate';
import { loadFaceModels } from '../../models/face/face-models';
import { pasteBack } from '../../models/face/paste-back';
import { median } from '../../shared/stats';

export interface FaceBenchRow {
  megapixels: number;
  width: number;
  height: number;
  decodeMs: number;
  /** Detection (on the downscaled copy) + two landmark passes (on a face crop) + 256 px alignment. */
  detectAlignMs: number;
  estimateMs: number;
  pasteBackMs: number;
  eyeDistance: number;
  rssMb: number;
}

export interface FaceBenchOptions {
  /** Portrait to upscale. Default tests/fixtures/photos/one-face.jpg under the working directory. */
  photo?: string;
  megapixels?: number[];
  /** Timed repetitions of detection + alignment per size (the median is reported). Default 2. */
  repeats?: number;
}

export async function runFacePipelineBench(opts: FaceBenchOptions = {}): Promise<{ backend: string; rows: FaceBenchRow[] }> {
  await loadFaceModels();
  const photo = opts.photo ?? path.join(process.cwd(), 'tests', 'fixtures', 'photos', 'one-face.jpg');
  const meta = await sharp(photo).metadata();
  const aspect = (meta.height ?? 1) / (meta.width ?? 1);
  const rows: FaceBenchRow[] = [];
  for (const mp of opts.megapixels ?? [1, 12, 40]) {
    const width = Math.round(Math.sqrt((mp * 1e6) / aspect));
    const height = Math.round(width * aspect);
    const jpeg = await sharp(photo).resize(width, height, { kernel: 'lanczos3' }).jpeg({ quality: 90 }).toBuffer();
    let t = performance.now();
    const img = await decodeImage(jpeg);
    const decodeMs = performance.now() - t;
    const times: number[] = [];
    let face = null;
    let aligned = null;
    for (let r = 0; r < (opts.repeats ?? 2); r++) {
      t = performance.now();
      [face] = await locateFaces(img);
      aligned = alignFace(img, face, 256);
      times.push(performance.now() - t);
    }
    if (!face || !aligned) throw new Error('no face in the bench photo');
    t = performance.now();
    await estimateAgeAndDescriptor(alignFace(img, face, 256));
    const estimateMs = performance.now() - t;
    t = performance.now();
    await pasteBack(img, aligned, aligned, aligned, { inPlace: true });
    const pasteBackMs = performance.now() - t;
    rows.push({
      megapixels: mp,
      width,
      height,
      decodeMs: Math.round(decodeMs),
      detectAlignMs: Math.round(median(times)),
      estimateMs: Math.round(estimateMs),
      pasteBackMs: Math.round(pasteBackMs),
      eyeDistance: Math.round(face.eyeDistance),
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    });
  }
  return { backend: tf.getBackend(), rows };
}

export interface DetectionRateOptions {
  /** Folder of face images (e.g. ../shared/data/utkface/images). */
  imagesDir: string;
  /** Random images to try. Default 1000. */
  n?: number;
  mode?: 'photo' | 'dataset';
  seed?: number;
  /** Stop early after this long (the figure is then over the images done). */
  maxSeconds?: number;
  onProgress?: (done: number, found: number) => void;
}

/**
 * Share of images in which a real detector finds a face ('whole-image' assumptions and errors count
 * as misses), over a seeded random sample of the folder, with the count per detector.
 */
export async function runDetectionRateBench(opts: DetectionRateOptions): Promise<{ mode: string; tried: number; found: number; rate: number; byDetector: Record<string, number>; msPerImage: number }> {
  await loadFaceModels();
  const { readdirSync } = await import('node:fs');
  const files = readdirSync(opts.imagesDir).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
  let s = opts.seed ?? 42;
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 0x1_0000_0000;
  };
  const pick = new Set<string>();
  const n = Math.min(opts.n ?? 1000, files.length);
  while (pick.size < n) pick.add(files[Math.floor(rnd() * files.length)]);
  const byDetector: Record<string, number> = {};
  let tried = 0;
  let found = 0;
  const t0 = performance.now();
  for (const f of pick) {
    if (opts.maxSeconds && performance.now() - t0 > opts.maxSeconds * 1000) break;
    tried++;
    try {
      const img = await decodeImage(path.join(opts.imagesDir, f));
      const [face] = await locateFaces(img, { mode: opts.mode ?? 'photo', minEyeDistance: 1, landmarkPasses: 1 });
      byDetector[face.box.detector] = (byDetector[face.box.detector] ?? 0) + 1;
      if (face.box.detector !== 'whole-image') found++;
    } catch {
      byDetector.none = (byDetector.none ?? 0) + 1;
    }
    opts.onProgress?.(tried, found);
  }
  return { mode: opts.mode ?? 'photo', tried, found, rate: tried ? found / tried : 0, byDetector, msPerImage: Math.round((performance.now() - t0) / Math.max(1, tried)) };
}
