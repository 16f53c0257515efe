/**
 * aging:* handlers. Main resolves everything the renderer names by id (photo file, face
 * landmarks, model folder) from the library, then asks the engine to age the face. Requests carry
 * renderer-chosen ids registered with ctx.cancellations: a newer preview of the same photo
 * supersedes the older one (it answers 'cancelled'), and aging:cancel aborts by id.
 */
import type { CoreContext } from '../context';
import { toLibraryId, viaLibrary } from '../errors';
import { StudioFailure, defineHandlers } from '../router';
import type { AgeFacesRequest, AgeFacesResponse } from '../../engine/protocol';

/** Used when the face has no age estimate: the middle of the adult range. */
const FALLBACK_SOURCE_AGE = 35;

export function agingHandlers(ctx: CoreContext) {
  async function resolve(photoId: string, faceIndex: number, modelId: string) {
    const l = await ctx.library();
    const photo = await viaLibrary(() => l.getPhoto(toLibraryId(photoId, 'photo')));
    // A photo without a detected face is a 'no-face' answer the UI words for a person, not 'not-found'.
    if (photo.faces.length === 0) throw new StudioFailure('no-face', `no face was detected in ${photo.name}`);
    const face = photo.faces[faceIndex];
    if (!face) throw new StudioFailure('not-found', `photo ${photoId} has no face ${faceIndex}`);
    if (face.landmarks.length !== 68) {
      throw new StudioFailure('no-face', `face ${faceIndex} has no landmarks; run face detection again`);
    }
    const modelDir = await viaLibrary(() => l.modelWeightsPath(toLibraryId(modelId, 'model')));
    return {
      path: l.photoFilePath(photo.id),
      landmarks: face.landmarks,
      sourceAge: face.age ?? FALLBACK_SOURCE_AGE,
      modelDir,
    };
  }

  async function age(
    requestId: string,
    supersedeKey: string,
    req: Omit<AgeFacesRequest, 'path' | 'landmarks' | 'sourceAge' | 'modelDir'> & { photoId: string; faceIndex: number; modelId: string },
  ): Promise<AgeFacesResponse> {
    const signal = ctx.cancellations.begin(requestId, supersedeKey);
    try {
      const where = await resolve(req.photoId, req.faceIndex, req.modelId);
      const r = await ctx.supervisor.request(
        'ageFaces',
        { ...where, ages: req.ages, output: req.output, estimate: req.estimate, draft: req.draft, cropFormat: req.cropFormat },
        { signal },
      );
      if (!r.ok) throw new StudioFailure(r.error.code, r.error.message);
      return r.value;
    } finally {
      ctx.cancellations.end(requestId);
    }
  }

  return defineHandlers({
    'aging:preview': async ({ requestId, photoId, faceIndex, modelId, targetAge, output, quality }) => {
      const draft = quality === 'draft';
      const r = await age(requestId, `preview:${photoId}`, { photoId, faceIndex, modelId, ages: [targetAge], output, draft, cropFormat: 'jpeg' });
      const frame = r.frames[0];
      return {
        requestId,
        targetAge,
        crop: frame.crop,
        pasted: frame.pasted,
        estimatedAge: frame.estimatedAge ?? null,
        engineMs: r.engineMs,
      };
    },
    // What age the aged face looks to the estimator (the renderer asks once a preview has settled).
    'aging:estimate': async ({ requestId, photoId, faceIndex, modelId, targetAge }) => {
      // The crop is not sent on: the cheaper encoding.
      const r = await age(requestId, `estimate:${photoId}`, { photoId, faceIndex, modelId, ages: [targetAge], output: 'crop', estimate: true, cropFormat: 'jpeg' });
      const estimatedAge = r.frames[0]?.estimatedAge;
      if (estimatedAge === undefined) throw new StudioFailure('internal', 'the engine returned no estimate');
      return { requestId, targetAge, estimatedAge };
    },
    'aging:strip': async ({ requestId, photoId, faceIndex, modelId, ages }) => {
      const frames: Array<{ age: number; image: NonNullable<AgeFacesResponse['frames'][number]['crop']> }> = [];
      // One engine call per age so frames stream to the renderer as they are ready.
      for (const [index, targetAge] of ages.entries()) {
        const r = await age(requestId, `strip:${photoId}`, { photoId, faceIndex, modelId, ages: [targetAge], output: 'crop' });
        const crop = r.frames[0].crop;
        if (!crop) throw new StudioFailure('internal', 'the engine returned no crop');
        frames.push({ age: targetAge, image: crop });
        ctx.events.emit('aging:stripFrame', { requestId, index, age: targetAge, image: crop });
      }
      return { requestId, frames };
    },
    'aging:cancel': ({ requestId }) => ({ cancelled: ctx.cancellations.cancel(requestId) }),
  });
}
