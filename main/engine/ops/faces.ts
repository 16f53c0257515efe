/**
 * Engine-side face operations over models/face: analyse a photo (for the library's import and
 * faces:detect) and cut the canonical aligned crop of one face (faces:crop). Runs in the engine
 * process only; the face-api networks load on first use.
 */
import { analyzePhoto } from '../../../models/face/analyze';
import { alignFace } from '../../../models/face/align';
import { loadFaceModels } from '../../../models/face/face-models';
import { decodeImage, encodeImage } from '../../../models/image/image-io';
import { isPhotoError } from '../../../models/image/photo-error';
import type { AnalyzeWire, FaceCropWire } from '../protocol';

/** Photo problems the library knows by code (it maps them onto its own error codes). */
export class PhotoProblem extends Error {
  constructor(
    readonly photoCode: string,
    message: string,
  ) {
    super(message);
  }
}

async function decode(input: { bytes?: Uint8Array; path?: string }) {
  const source = input.bytes ?? input.path;
  if (source === undefined) throw new PhotoProblem('invalid-input', 'analyze needs bytes or a path');
  try {
    return await decodeImage(source);
  } catch (e) {
    if (isPhotoError(e)) throw new PhotoProblem(e.code, e.message);
    throw e;
  }
}

export async function analyzeOp(input: { bytes?: Uint8Array; path?: string }): Promise<AnalyzeWire> {
  const img = await decode(input);
  await loadFaceModels();
  let faces: AnalyzeWire['faces'] = [];
  try {
    const found = await analyzePhoto(img, { faces: 'all' });
    faces = found.map((f) => ({
      box: { x: f.box.x, y: f.box.y, width: f.box.width, height: f.box.height },
      score: f.score,
      landmarks: f.landmarks.map((p) => ({ x: p.x, y: p.y })),
      age: f.age,
      descriptor: Array.from(f.descriptor),
    }));
  } catch (e) {
    // A photo without a usable face is still a photo: it is kept with no faces, and the UI says so.
    if (!(isPhotoError(e) && (e.code === 'no-face' || e.code === 'face-too-small'))) throw e;
  }
  return { width: img.width, height: img.height, orientation: img.sourceOrientation, format: img.sourceFormat, faces };
}

export async function faceCropOp(input: {
  path: string;
  landmarks: { x: number; y: number }[];
  size: number;
}): Promise<FaceCropWire> {
  if (input.landmarks.length !== 68) throw new PhotoProblem('invalid-input', 'a face crop needs the 68 landmarks');
  const img = await decode({ path: input.path });
  const aligned = alignFace(img, { landmarks: input.landmarks }, input.size);
  const bytes = await encodeImage({ width: aligned.size, height: aligned.size, data: aligned.data }, { format: 'png' });
  return { mime: 'image/png', width: aligned.size, height: aligned.size, bytes: new Uint8Array(bytes) };
}
