/**
 * The identity pre-check of the guided fine-tune, on what the library knows about each photo:
 * photos without a usable face are listed and skipped; photos with several faces are flagged
 * (the largest face is used); the set must hold 10 to 50 usable photos.
 */
import type { Photo } from '../../../../preload/contract';

export const FINETUNE_MIN = 10;
export const FINETUNE_MAX = 50;

export interface SelectionCheck {
  usable: Photo[];
  skipped: { photo: Photo; reason: string }[];
  flagged: { photo: Photo; reason: string }[];
  /** Why the fine-tune cannot start yet (empty when it can). */
  blockers: string[];
}

export function checkSelection(photos: readonly Photo[]): SelectionCheck {
  const usable: Photo[] = [];
  const skipped: SelectionCheck['skipped'] = [];
  const flagged: SelectionCheck['flagged'] = [];
  for (const p of photos) {
    if (p.faceCount === null) skipped.push({ photo: p, reason: 'faces not detected yet' });
    else if (p.faceCount === 0) skipped.push({ photo: p, reason: 'no usable face' });
    else {
      usable.push(p);
      if (p.faceCount > 1) flagged.push({ photo: p, reason: `${p.faceCount} faces: the largest is used` });
    }
  }
  const blockers: string[] = [];
  if (usable.length < FINETUNE_MIN) blockers.push(`Pick at least ${FINETUNE_MIN} photos with a usable face (${usable.length} so far).`);
  if (usable.length > FINETUNE_MAX) blockers.push(`Use at most ${FINETUNE_MAX} photos (${usable.length} picked).`);
  return { usable, skipped, flagged, blockers };
}
