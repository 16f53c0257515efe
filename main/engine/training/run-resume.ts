/**
 * What training:resumeInterrupted needs from a run row: the fine-tune request it was started
 * with (stored in its config by TrainingRuns.startFinetune) and which runs it may resume.
 */
import { StudioFailure } from '../../core/router';
import type { Library } from '../../library/library';
import type { PhotoDetail, Run } from '../../library/types';
import type { SettledFinetune } from './train-protocol';

/** The library's photos among `ids` (deleted ones are left out). */
export function existingPhotos(lib: Library, ids: readonly number[]): PhotoDetail[] {
  const photos: PhotoDetail[] = [];
  for (const id of ids) {
    try {
      photos.push(lib.getPhoto(id));
    } catch {
      // Deleted since the run started: nothing to use.
    }
  }
  return photos;
}

/**
 * The request a resumable run was started with; refuses runs that are not studio fine-tunes, not
 * interrupted (or left paused by a studio that died), or whose base is gone.
 */
export function resumableRequest(lib: Library, run: Run): { req: SettledFinetune; name: string } {
  if (run.config.fineTune !== true) throw new StudioFailure('unsupported', `run ${run.id} is not a studio fine-tune; resume it with face-age train --resume`);
  if (run.status !== 'interrupted' && run.status !== 'paused') {
    throw new StudioFailure('conflict', `run ${run.id} is ${run.status}; only an interrupted run can be resumed`);
  }
  if (run.parentModelId === null) throw new StudioFailure('not-found', `run ${run.id} has no base model`);
  const base = lib.getModel(run.parentModelId);
  const c = run.config;
  const num = (k: string) => (typeof c[k] === 'number' ? (c[k] as number) : undefined);
  return {
    req: {
      baseModelId: base.id,
      photoIds: Array.isArray(c.photoIds) ? c.photoIds.filter((x): x is number => typeof x === 'number') : [],
      steps: run.totalSteps,
      identityWeight: num('identityWeight'),
      descriptorWeight: num('descriptorWeight'),
      lowResShare: num('lowResShare'),
      freezeEncoder: typeof c.freezeEncoder === 'boolean' ? c.freezeEncoder : undefined,
      batch: num('batch'),
      sampleEvery: num('sampleEvery'),
    },
    name: typeof c.name === 'string' ? c.name : `${base.name} (fine-tuned)`,
  };
}
