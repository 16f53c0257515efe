/**
 * analyzePhoto: everything the app needs to know about the faces in one photo, in the photo's own
 * full-resolution pixel coordinates: box, 68 landmarks, the canonical alignment, and the age /
 * gender / identity estimates from the aligned crop.
 */
import type { DecodedImage } from '../image/decoded-image';
import { PhotoError } from '../image/photo-error';
import type { Affine, Point } from './affine';
import { alignFace, fitAlignment } from './align';
import { detectFaceBoxes, type DetectOptions, type FaceBox } from './detect';
import { estimateAgeAndDescriptor, type FaceEstimate } from './estimate';
import { assertFaceModelsLoaded } from './face-models';
import { detectLandmarks } from './landmarks';
import { eyeDistance } from './template';

/**
 * Eye distance below which a face is too small to edit: 40 px puts the face's canonical crop at
 * 125 px (eyes 0.32 of the side), the size the 128 px prototype and the texture stage work at; a
 * smaller face would be aged and estimated from upscaled mush. (64 px until session 6, when faces
 * were still pasted back from fixed 64 or 128 px crops: it refused the faces of ordinary half-body
 * and two-person photos.)
 */
export const MIN_EYE_DISTANCE_FOR_EDITING = 40;

/** Resolution of the crop the estimators see (their inputs are 112 and 150 px). */
const ESTIMATE_CROP = 256;

/** A face found and aligned, without the (slower) estimates. */
export interface LocatedFace {
  box: FaceBox;
  /** 68 points, iBUG 300-W order, photo pixels. */
  landmarks: Point[];
  /** Detector confidence (0 when the face was assumed, see FaceBox.detector). */
  score: number;
  /** Distance between the eye centres, photo pixels. */
  eyeDistance: number;
  /** Photo pixels -> unit canonical coordinates ([0,1]^2 is the crop); pass to alignFace. */
  alignment: Affine;
}

/** A located face plus its age, gender and identity descriptor. */
export interface FaceAnalysis extends LocatedFace, FaceEstimate {}

export interface AnalyzeOptions extends DetectOptions {
  /** 'largest' (default) returns one face; 'all' every face big enough. */
  faces?: 'largest' | 'all';
  /** Faces with a smaller eye distance (photo px) are rejected. Default 64; datasets pass less. */
  minEyeDistance?: number;
  /** Landmark passes (see detectLandmarks). Default 2. */
  landmarkPasses?: number;
}

/**
 * Detects, landmarks and aligns (no estimates). Throws PhotoError 'no-face' when nothing is found and
 * 'face-too-small' when every face is below minEyeDistance. Requires loadFaceModels().
 */
export async function locateFaces(img: DecodedImage, opts: AnalyzeOptions = {}): Promise<LocatedFace[]> {
  assertFaceModelsLoaded();
  const boxes = await detectFaceBoxes(img, opts);
  if (boxes.length === 0) {
    throw new PhotoError('no-face', 'No face was found in this photo. Try a photo where the face is clearly visible and faces the camera.');
  }
  const wanted = opts.faces === 'all' ? boxes : boxes.slice(0, 1);
  const minEye = opts.minEyeDistance ?? MIN_EYE_DISTANCE_FOR_EDITING;
  const results: LocatedFace[] = [];
  let largestSmall = 0;
  for (const box of wanted) {
    const landmarks = await detectLandmarks(img, box, opts.landmarkPasses ?? 2);
    const ed = eyeDistance(landmarks);
    if (ed < minEye) {
      largestSmall = Math.max(largestSmall, ed);
      continue;
    }
    const alignment = fitAlignment(landmarks);
    results.push({ box, landmarks, score: box.score, eyeDistance: ed, alignment });
  }
  if (results.length === 0) {
    throw new PhotoError(
      'face-too-small',
      `The face is too small to edit (${Math.round(largestSmall)} px between the eyes; at least ${minEye} px are needed). Use a larger or closer photo.`,
    );
  }
  return results;
}

/** locateFaces plus age, gender and descriptor of each face (from its 256 px canonical crop). */
export async function analyzePhoto(img: DecodedImage, opts: AnalyzeOptions = {}): Promise<FaceAnalysis[]> {
  const located = await locateFaces(img, opts);
  const out: FaceAnalysis[] = [];
  for (const face of located) {
    out.push({ ...face, ...(await estimateAgeAndDescriptor(alignFace(img, face, ESTIMATE_CROP))) });
  }
  return out;
}
