/**
 * Face detection on real photos and on tight pre-cropped faces.
 *
 * Photos: SSD MobileNet v1 sees a copy downscaled to at most `detectorMaxSide` (it pads to a square
 * and resizes to 512x512 internally anyway), so a 40 MP photo costs the same as a 1 MP one. Since
 * that makes faces of a wide photo or a group shot small for the net (a 70 px face in a 1200 x 600
 * photo is 30 px at 512), a photo where that pass finds nothing is searched again in overlapping
 * square tiles (detectionTiles), the detections of all tiles merged (mergeDetections). Only then:
 * tiling every photo costs 2.7x the detection time (1,168 against 428 ms a photo on one wasm
 * thread, the 18 portraits) and found no face the whole-photo pass had missed there.
 * Tight crops (UTKFace's 200x200 faces, a user's passport crop): the stock detectors need context
 * around a face, so the image is padded with a constant grey border to 2.5x its size and searched
 * again, first with TinyFaceDetector at 224 (fast, finds ~100% of UTKFace) and then with SSD at a
 * lower threshold. For a known pre-aligned dataset the last resort is to assume the face fills the
 * crop and let the landmark net find it ('whole-image').
 */
import { cropImage, type DecodedImage } from '../image/decoded-image';
import { resizeImage } from '../image/image-io';
import { assertFaceModelsLoaded, faceapi } from './face-models';
import { asNetInput, imageToTensor } from './tensor-io';

export type DetectorName = 'ssd' | 'ssd-padded' | 'tiny-padded' | 'whole-image';

/** A face box in the image's pixel coordinates (continuous; may extend past the borders). */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Detector confidence in [0, 1]; 0 for 'whole-image'. */
  score: number;
  detector: DetectorName;
}

export interface DetectOptions {
  /**
   * 'photo' (default): SSD on the whole photo first, the padded search only when nothing is found.
   * 'dataset': the image is a tight face crop; padded TinyFaceDetector first (fast), then padded SSD,
   * and finally 'whole-image'. Only the largest face is returned.
   */
  mode?: 'photo' | 'dataset';
  /** SSD threshold on the photo. Default 0.5. */
  minConfidence?: number;
  /** Threshold for the padded search (detectors are less sure without context). Default 0.3. */
  paddedMinConfidence?: number;
  /** Longest side of the copy the detector sees. Default 1024. */
  detectorMaxSide?: number;
  /** Try the padded search when a photo gives no face. Default true. */
  paddedFallback?: boolean;
}

const PAD_FACTOR = 2.5;
const PAD_GREY = 128;

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function scaleBox(b: Rect, s: number, dx = 0, dy = 0): Rect {
  return { x: b.x * s + dx, y: b.y * s + dy, width: b.width * s, height: b.height * s };
}

async function detectorCopy(img: DecodedImage, maxSide: number): Promise<{ img: DecodedImage; scale: number }> {
  const side = Math.max(img.width, img.height);
  if (side <= maxSide) return { img, scale: 1 };
  const s = maxSide / side;
  const small = await resizeImage(img, Math.max(1, Math.round(img.width * s)), Math.max(1, Math.round(img.height * s)));
  return { img: small, scale: img.width / small.width };
}

export interface RawDetection {
  box: Rect;
  score: number;
}

/** Pads to PAD_FACTOR x the longest side with constant grey (a square canvas); returns the offsets. */
export function padForDetection(img: DecodedImage): { img: DecodedImage; offX: number; offY: number } {
  const side = Math.round(Math.max(img.width, img.height) * PAD_FACTOR);
  const offX = Math.floor((side - img.width) / 2);
  const offY = Math.floor((side - img.height) / 2);
  const data = new Uint8Array(side * side * 3).fill(PAD_GREY);
  for (let y = 0; y < img.height; y++) {
    data.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), ((y + offY) * side + offX) * 3);
  }
  return { img: { width: side, height: side, data }, offX, offY };
}

async function runSsd(img: DecodedImage, minConfidence: number): Promise<RawDetection[]> {
  const t = imageToTensor(img);
  try {
    const dets = await faceapi.nets.ssdMobilenetv1.locateFaces(asNetInput(t), { minConfidence, maxResults: 100 });
    return dets.map((d) => ({ box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }, score: d.score }));
  } finally {
    t.dispose();
  }
}

async function runTiny(img: DecodedImage, minConfidence: number, inputSize: number): Promise<RawDetection[]> {
  const t = imageToTensor(img);
  try {
    const dets = await faceapi.nets.tinyFaceDetector.locateFaces(
      asNetInput(t),
      new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minConfidence }),
    );
    return dets.map((d) => ({ box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }, score: d.score }));
  } finally {
    t.dispose();
  }
}

function largestFirst(boxes: FaceBox[]): FaceBox[] {
  return boxes.sort((a, b) => b.width * b.height - a.width * a.height);
}

/** Searches the grey-padded copy; boxes are returned in `img` coordinates. */
async function detectPadded(
  img: DecodedImage,
  minConfidence: number,
  order: Array<'tiny' | 'ssd'>,
): Promise<FaceBox[]> {
  const padded = padForDetection(img);
  for (const which of order) {
    const dets = which === 'tiny'
      ? await runTiny(padded.img, minConfidence, 224)
      : await runSsd(padded.img, minConfidence);
    if (dets.length > 0) {
      return largestFirst(dets.map((d) => ({
        ...scaleBox(d.box, 1, -padded.offX, -padded.offY),
        score: d.score,
        detector: which === 'tiny' ? 'tiny-padded' : 'ssd-padded',
      })));
    }
  }
  return [];
}

/** Overlapping square tiles (x, y, side) over a width x height image; none when one pass sees it well. */
export function detectionTiles(width: number, height: number): Rect[] {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  // The whole image at 512 px already shows faces at full size when it is no bigger than ~1.25x that.
  if (long <= 640) return [];
  // A wide or tall photo: squares of its short side; a squarish one: a 2 x 2 grid (0.6 of the side).
  const side = Math.max(256, Math.round(short * (long / short >= 1.25 ? 1 : 0.6)));
  const starts = (extent: number): number[] => {
    if (extent <= side) return [0];
    const n = Math.ceil((extent - side) / (0.75 * side)) + 1; // at least a quarter of a tile overlaps
    return Array.from({ length: n }, (_, i) => Math.round(((extent - side) * i) / (n - 1)));
  };
  const tiles: Rect[] = [];
  for (const y of starts(height)) for (const x of starts(width)) tiles.push({ x, y, width: Math.min(side, width), height: Math.min(side, height) });
  return tiles;
}

/**
 * Merges detections of overlapping passes: a box overlapping a higher-scored one (IoU above 0.3, or
 * mostly inside it or around it: a face cut at a tile's edge) is dropped.
 */
export function mergeDetections(dets: RawDetection[]): RawDetection[] {
  const kept: RawDetection[] = [];
  for (const d of [...dets].sort((a, b) => b.score - a.score)) {
    const clash = kept.some((k) => {
      const iw = Math.min(k.box.x + k.box.width, d.box.x + d.box.width) - Math.max(k.box.x, d.box.x);
      const ih = Math.min(k.box.y + k.box.height, d.box.y + d.box.height) - Math.max(k.box.y, d.box.y);
      if (iw <= 0 || ih <= 0) return false;
      const inter = iw * ih;
      const a = k.box.width * k.box.height;
      const b = d.box.width * d.box.height;
      return inter / (a + b - inter) > 0.3 || inter / Math.min(a, b) > 0.6;
    });
    if (!clash) kept.push(d);
  }
  return kept;
}

/** SSD on each detection tile of the image, merged; boxes in `img` coordinates. */
async function runSsdTiles(img: DecodedImage, minConfidence: number): Promise<RawDetection[]> {
  const all: RawDetection[] = [];
  for (const t of detectionTiles(img.width, img.height)) {
    for (const d of await runSsd(cropImage(img, t), minConfidence)) all.push({ box: scaleBox(d.box, 1, t.x, t.y), score: d.score });
  }
  return mergeDetections(all);
}

/**
 * Finds faces; boxes in `img`'s full-resolution coordinates, largest first. Returns [] when none.
 * Requires loadFaceModels().
 */
export async function detectFaceBoxes(img: DecodedImage, opts: DetectOptions = {}): Promise<FaceBox[]> {
  assertFaceModelsLoaded();
  const mode = opts.mode ?? 'photo';
  const minConfidence = opts.minConfidence ?? 0.5;
  const paddedMin = opts.paddedMinConfidence ?? 0.3;
  const { img: small, scale } = await detectorCopy(img, opts.detectorMaxSide ?? 1024);
  const toFull = (boxes: FaceBox[]): FaceBox[] => boxes.map((b) => ({ ...b, ...scaleBox(b, scale) }));

  if (mode === 'dataset') {
    const found = await detectPadded(small, paddedMin, ['tiny', 'ssd']);
    if (found.length > 0) return toFull(found.slice(0, 1));
    // Pre-aligned crop: the face is the picture. A box like the one SSD would draw on such a crop.
    return [{ x: 0, y: 0, width: img.width, height: img.height, score: 0, detector: 'whole-image' }];
  }

  let dets = await runSsd(small, minConfidence);
  if (dets.length === 0) dets = await runSsdTiles(small, minConfidence);
  if (dets.length > 0) {
    return toFull(largestFirst(dets.map((d) => ({ ...d.box, score: d.score, detector: 'ssd' as const }))));
  }
  if (opts.paddedFallback === false) return [];
  return toFull(await detectPadded(small, paddedMin, ['ssd', 'tiny']));
}
