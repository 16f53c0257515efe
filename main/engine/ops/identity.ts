/**
 * Engine-side identity measurement for finetune:identityCheck: one face of a photo, aged by each
 * model at each target age, and the face-api descriptor distance between the input crop and every
 * output, measured the way the evaluation measures it (models/eval/measure.ts: the crop at the
 * model's resolution, upsampled to 256, the canonical face square through the recognition net).
 * The input is measured at each model's own resolution, so doing nothing scores 0 for every model.
 */
import { alignFace } from '../../../models/face/align';
import { descriptorDistance } from '../../../models/face/estimate';
import { loadFaceModels } from '../../../models/face/face-models';
import { measureCrop } from '../../../models/eval/measure';
import type { IdentityDistancesRequest, IdentityDistancesResponse } from '../protocol';
import { ageAlignedFace, agingModel, decodedPhoto, throwIfCancelled } from './aging-core';

export async function identityDistancesOp(req: IdentityDistancesRequest, signal: AbortSignal): Promise<IdentityDistancesResponse> {
  await loadFaceModels();
  const img = await decodedPhoto(req.path);
  const distances: number[][] = [];
  for (const dir of req.modelDirs) {
    throwIfCancelled(signal);
    const model = await agingModel(dir);
    const aligned = alignFace(img, { landmarks: req.landmarks }, model.resolution);
    const input = await measureCrop(aligned.data, aligned.size);
    const row: number[] = [];
    for (const age of req.ages) {
      throwIfCancelled(signal);
      // The model's own output (as evaluateModel measures it), not the preview's change-on-input.
      const { out } = await ageAlignedFace(model, aligned, req.sourceAge, age, signal);
      row.push(descriptorDistance(input.descriptor, (await measureCrop(out, aligned.size)).descriptor));
    }
    distances.push(row);
  }
  return { distances };
}
