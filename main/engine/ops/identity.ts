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
import { applyChange } from './aging';
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
      // The face as the studio shows it (and evaluateModel measures it): where the model has a
      // reconstruction, only its change is applied to the real aligned face.
      const { out, rec } = await ageAlignedFace(model, aligned, req.sourceAge, age, signal);
      const shown = rec ? applyChange(aligned.data, out, rec) : out;
      row.push(descriptorDistance(input.descriptor, (await measureCrop(shown, aligned.size)).descriptor));
    }
    distances.push(row);
  }
  return { distances };
}
