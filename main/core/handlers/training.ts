/**
 * training:start/pause/resume/cancel/resumeInterrupted and finetune:* handlers over TrainingRuns (the forked
 * training child). training:list/get/sampleGrid live in models.ts (read-only library views).
 */
import type { CoreContext } from '../context';
import { toLibraryId, viaLibrary } from '../errors';
import { StudioFailure, defineHandlers } from '../router';
import type { TrainingRuns } from '../../engine/training/training-runs';

export function trainingHandlers(ctx: CoreContext, runs: TrainingRuns) {
  async function selectionPhotoIds(sel: { by: 'project'; projectId: string } | { by: 'tag'; tag: string } | { by: 'photos'; photoIds: string[] }): Promise<number[]> {
    if (sel.by === 'photos') return sel.photoIds.map((id) => toLibraryId(id, 'photo'));
    const l = await ctx.library();
    const projects = sel.by === 'project' ? [toLibraryId(sel.projectId, 'project')] : l.listProjects().map((p) => p.id);
    const ids: number[] = [];
    for (const projectId of projects) {
      const page = l.listPhotos({ projectId, tag: sel.by === 'tag' ? sel.tag : undefined, limit: 5000 });
      ids.push(...page.items.map((p) => p.id));
    }
    return ids;
  }

  const state = (runId: string, s: string) => ({ runId, state: s as 'running' });

  return defineHandlers({
    'training:start': async (req) => {
      if (req.baseModelId === null) {
        throw new StudioFailure('not-available-yet', 'training from scratch runs from the command line (face-age train); the studio fine-tunes a base model');
      }
      // The base's kind picks the fine-tune recipe (models/training/finetune.ts); both kinds have one.
      if (req.kind !== 'cyclegan' && req.kind !== 'age-cgan') throw new StudioFailure('unsupported', `training ${String(req.kind)} from the studio is not possible`);
      const photoIds = await selectionPhotoIds(req.selection);
      if (photoIds.length === 0) throw new StudioFailure('not-found', 'the selection holds no photos');
      const r = await viaLibrary(() =>
        runs.startFinetune({ baseModelId: toLibraryId(req.baseModelId as string, 'model'), photoIds, steps: req.steps, name: req.name, batch: req.batchSize, sampleEvery: req.sampleEvery }),
      );
      return { runId: String(r.runId) };
    },
    'training:pause': async ({ runId }) => state(runId, runs.pause(toLibraryId(runId, 'run'))),
    'training:resume': async ({ runId }) => {
      const id = toLibraryId(runId, 'run');
      // A run left paused by a studio that died has no child to un-pause: it goes on from its checkpoint.
      if (!runs.isActive(id) && (await viaLibrary(async () => (await ctx.library()).getRun(id).status)) === 'paused') {
        await viaLibrary(() => runs.resumeInterrupted(id));
        return state(runId, 'running');
      }
      return state(runId, runs.resume(id));
    },
    'training:resumeInterrupted': async ({ runId }) => {
      await viaLibrary(() => runs.resumeInterrupted(toLibraryId(runId, 'run')));
      return state(runId, 'running');
    },
    'training:cancel': async ({ runId, keep }) => state(runId, await viaLibrary(() => runs.cancel(toLibraryId(runId, 'run'), keep))),
    'finetune:start': async (req) => {
      const r = await viaLibrary(() =>
        runs.startFinetune({
          baseModelId: toLibraryId(req.baseModelId, 'model'),
          photoIds: req.photoIds.map((id) => toLibraryId(id, 'photo')),
          steps: req.steps,
          name: req.name,
          identityWeight: req.identityWeight,
        }),
      );
      return { runId: String(r.runId) };
    },
    'finetune:identityCheck': async ({ modelId }) => viaLibrary(() => runs.identityCheck(toLibraryId(modelId, 'model'))),
    'finetune:checkPhotos': async ({ photoIds }) => {
      const check = await viaLibrary(() => runs.checkPhotos(photoIds.map((id) => toLibraryId(id, 'photo'))));
      return {
        threshold: check.threshold,
        faces: check.faces.map((f) => ({ ...f, photoId: String(f.photoId), distance: +f.distance.toFixed(4) })),
        skipped: check.skipped.map((s) => ({ ...s, photoId: String(s.photoId) })),
      };
    },
  });
}
