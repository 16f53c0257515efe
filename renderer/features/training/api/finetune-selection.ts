/**
 * The identity pre-check of the guided fine-tune, on what the library knows about each photo and
 * on the engine's identity descriptors (finetune:checkPhotos): photos without a usable face are
 * listed and skipped; photos whose face looks like someone else are left out unless the user keeps
 * them; photos with several faces are flagged (the largest face is used); the set must hold 10 to
 * 50 usable photos.
 */
import type { CheckPhotosResponse, Photo } from '../../../../preload/contract';

export const FINETUNE_MIN = 10;
export const FINETUNE_MAX = 50;

export interface SelectionCheck {
  usable: Photo[];
  skipped: { photo: Photo; reason: string }[];
  /** Faces the descriptors place away from the others (left out unless kept). */
  strangers: { photo: Photo; reason: string }[];
  flagged: { photo: Photo; reason: string }[];
  /** Why the fine-tune cannot start yet (empty when it can). */
  blockers: string[];
}

export function checkSelection(
  photos: readonly Photo[],
  /** The engine's verdict; null while it is being asked for (blocks the start), undefined: not asked. */
  identity?: CheckPhotosResponse | null,
  keep: readonly string[] = [],
): SelectionCheck {
  const usable: Photo[] = [];
  const skipped: SelectionCheck['skipped'] = [];
  const strangers: SelectionCheck['strangers'] = [];
  const flagged: SelectionCheck['flagged'] = [];
  const verdict = new Map(identity?.faces.map((f) => [f.photoId, f]));
  const noDescriptor = new Map(identity?.skipped.map((s) => [s.photoId, s.reason]));
  for (const p of photos) {
    if (p.faceCount === null) skipped.push({ photo: p, reason: 'faces not detected yet' });
    else if (p.faceCount === 0) skipped.push({ photo: p, reason: 'no usable face' });
    else if (noDescriptor.has(p.id)) skipped.push({ photo: p, reason: noDescriptor.get(p.id)! });
    else {
      const v = verdict.get(p.id);
      if (v?.flagged) {
        strangers.push({
          photo: p,
          reason: `identity distance ${v.distance.toFixed(2)} from the others (same person: up to ${identity?.threshold})`,
        });
        if (!keep.includes(p.id)) continue;
      }
      usable.push(p);
      if (p.faceCount > 1) flagged.push({ photo: p, reason: `${p.faceCount} faces: the largest is used` });
    }
  }
  const blockers: string[] = [];
  if (usable.length < FINETUNE_MIN) blockers.push(`Pick at least ${FINETUNE_MIN} photos with a usable face (${usable.length} so far).`);
  if (usable.length > FINETUNE_MAX) blockers.push(`Use at most ${FINETUNE_MAX} photos (${usable.length} picked).`);
  if (photos.some((p) => (p.faceCount ?? 0) > 0) && identity === null) blockers.push('Comparing the faces…');
  return { usable, skipped, strangers, flagged, blockers };
}
