/**
 * Engine-side aging: one face of a photo through an aging model at one or more target ages.
 * Runs in the engine process only. Keeps what a slider needs warm between requests:
 * the last decoded photos, their aligned crops, and the loaded models (the Age-cGAN model also
 * caches its optimised latent per face), so moving the slider only re-runs the generator.
 */
import { alignFace, scaleAffine, type AlignedFace } from '../../../models/face/align';
import { estimateAge } from '../../../models/face/estimate';
import { loadFaceModels } from '../../../models/face/face-models';
import { pasteBack, pasteRegion, type PasteMask } from '../../../models/face/paste-back';
import { composeAffine, type Affine } from '../../../models/face/affine';
import { cropImage } from '../../../models/image/decoded-image';
import { encodeImage, type DecodedPhoto } from '../../../models/image/image-io';
import type { AgeFacesRequest, AgeFacesResponse, AgedFrameWire } from '../protocol';
import { DRAFT_CROP, ageAlignedFace, agingModel, cropSizeFor, decodedPhoto, pasteMaskFor, throwIfCancelled } from './aging-core';
import { LruCache } from './lru';

const crops = new LruCache<string, AlignedFace>(8);
/**
 * The last crops as shown (the model's change on the aligned face): the renderer asks for a shown
 * preview's age estimate a moment after it (aging:estimate), which then runs only the age net, not
 * a second pass of the model, and holds the engine for less of the time a next release may wait.
 */
const shownCrops = new LruCache<string, Uint8Array>(4);

/** JPEG quality of drag frames (seen for a tenth of a second). */
const DRAFT_JPEG_QUALITY = 85;
/** JPEG quality of released previews: at 90 and above the encoder keeps full chroma (4:4:4). */
const PREVIEW_JPEG_QUALITY = 90;

/**
 * The photo rectangle the face mask can touch, cut out, with the crop transform moved to its
 * coordinates: paste-back then only allocates the face's region, never a full 40 MP copy.
 */
function faceRegion(img: DecodedPhoto, aligned: AlignedFace, mask: PasteMask) {
  const toUnit = composeAffine(aligned.toCrop, scaleAffine(1 / aligned.size));
  const { x0, y0, x1, y1 } = pasteRegion(img, toUnit, mask);
  const rect = { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
  const [a, b, c, d, e, f] = aligned.toCrop;
  const toCrop: Affine = [a, b, c + a * x0 + b * y0, d, e, f + d * x0 + e * y0];
  return { image: cropImage(img, rect), toCrop, rect };
}

export async function ageFacesOp(req: AgeFacesRequest, signal: AbortSignal): Promise<AgeFacesResponse> {
  const started = performance.now();
  const [img, model] = await Promise.all([decodedPhoto(req.path), agingModel(req.modelDir)]);
  throwIfCancelled(signal);
  const full = cropSizeFor(model, req.landmarks);
  const size = req.draft ? Math.min(full, Math.max(model.resolution, DRAFT_CROP)) : full;
  const cropKey = `${req.path}|${size}|${req.landmarks.map((p) => `${p.x.toFixed(2)},${p.y.toFixed(2)}`).join(';')}`;
  let aligned = crops.get(cropKey);
  if (!aligned) {
    aligned = alignFace(img, { landmarks: req.landmarks }, size);
    crops.set(cropKey, aligned);
  }
  const mask = pasteMaskFor(model);
  const region = req.output === 'crop' ? null : faceRegion(img, aligned, mask);
  const frames: AgedFrameWire[] = [];
  for (const age of req.ages) {
    throwIfCancelled(signal);
    const frame: AgedFrameWire = { age, crop: null, pasted: null };
    const shownKey = `${req.modelDir}|${req.sourceAge}|${age}|${cropKey}`;
    // A crop of what was just shown (its estimate) needs no second pass of the model.
    let shown = req.output === 'crop' ? (shownCrops.get(shownKey) ?? null) : null;
    let aged: Awaited<ReturnType<typeof ageAlignedFace>> | null = null;
    if (!shown) {
      aged = await ageAlignedFace(model, aligned, req.sourceAge, age, signal, req.landmarks);
      // Where the model has a reconstruction, the displayed crop also carries only the change,
      // applied to the real aligned face, so the preview matches what export will paste back.
      // Only built when a crop is sent or estimated (a 'pasted' preview needs neither).
      const wanted = req.output !== 'pasted' || req.estimate === true;
      shown = !wanted ? null : aged.rec ? applyChange(aligned.data, aged.out, aged.rec) : aged.out;
      if (shown) shownCrops.set(shownKey, shown);
    }
    if (shown && req.output !== 'pasted') {
      // Drafts and previews travel as JPEG: encoding is a few ms instead of PNG's tens.
      const format = req.draft || req.cropFormat === 'jpeg' ? 'jpeg' : 'png';
      const quality = req.draft ? DRAFT_JPEG_QUALITY : PREVIEW_JPEG_QUALITY;
      const bytes = await encodeImage({ width: size, height: size, data: shown }, { format, quality });
      frame.crop = { mime: format === 'jpeg' ? 'image/jpeg' : 'image/png', width: size, height: size, bytes: new Uint8Array(bytes) };
    }
    if (shown && req.estimate) {
      throwIfCancelled(signal);
      await loadFaceModels();
      frame.estimatedAge = await estimateAge({ size, data: shown });
    }
    // A region is cut only for a pasted output, which never comes from shownCrops.
    if (region && aged) {
      const pasted = await pasteBack(
        region.image,
        { toCrop: region.toCrop, size },
        { size, data: aged.out },
        aged.rec ? { size, data: aged.rec } : undefined,
        { mask },
      );
      const bytes = await encodeImage(pasted, { format: 'jpeg', quality: 92 });
      frame.pasted = {
        image: { mime: 'image/jpeg', width: pasted.width, height: pasted.height, bytes: new Uint8Array(bytes) },
        region: region.rect,
      };
    }
    frames.push(frame);
  }
  return { frames, resolution: size, engineMs: performance.now() - started };
}

/** The change (output - reconstruction) applied to the real aligned face, as previews show it. */
export function applyChange(base: Uint8Array, out: Uint8Array, rec: Uint8Array): Uint8Array {
  const r = new Uint8Array(base.length);
  for (let i = 0; i < base.length; i++) r[i] = Math.min(255, Math.max(0, base[i] + out[i] - rec[i]));
  return r;
}
