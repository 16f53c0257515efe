/**
 * Before a fine-tune: are the chosen photos one person? Uses the 128-float face-api descriptors
 * the library stored at import (the largest face of each photo). Each descriptor is compared with
 * the element-wise median of all of them (robust to one or two strangers, unlike the mean).
 */
import type { Face, PhotoDetail } from '../../library/types';
import { median } from '../../../shared/stats';
import { SAME_PERSON_DISTANCE, descriptorDistance } from '../../../shared/identity';

export interface IdentityConsistency {
  /** Photos with a usable face (landmarks + descriptor), with their distance to the median. */
  faces: Array<{ photoId: number; faceIndex: number; distance: number; flagged: boolean }>;
  /** Photos without a usable face: listed and skipped. */
  skipped: Array<{ photoId: number; reason: string }>;
  threshold: number;
  /** Median descriptor [128] (empty when no face was usable). */
  centre: number[];
}

/** Index of the largest face with 68 landmarks and a descriptor, or -1. */
export function usableFaceIndex(faces: readonly Face[]): number {
  let best = -1;
  let bestArea = -1;
  faces.forEach((f, i) => {
    if (f.landmarks.length !== 68 || !f.descriptor) return;
    const area = f.box.width * f.box.height;
    if (area > bestArea) {
      best = i;
      bestArea = area;
    }
  });
  return best;
}

export function checkIdentityConsistency(photos: readonly PhotoDetail[], threshold = SAME_PERSON_DISTANCE): IdentityConsistency {
  const skipped: IdentityConsistency['skipped'] = [];
  const used: Array<{ photoId: number; faceIndex: number; descriptor: number[] }> = [];
  for (const p of photos) {
    const i = usableFaceIndex(p.faces);
    if (i < 0) {
      skipped.push({ photoId: p.id, reason: p.faces.length === 0 ? 'no face found' : 'no face with landmarks and an identity descriptor' });
    } else used.push({ photoId: p.id, faceIndex: i, descriptor: p.faces[i].descriptor as number[] });
  }
  const dims = used[0]?.descriptor.length ?? 0;
  const centre = Array.from({ length: dims }, (_, k) => median(used.map((u) => u.descriptor[k])));
  const faces = used.map((u) => {
    const distance = descriptorDistance(u.descriptor, centre);
    return { photoId: u.photoId, faceIndex: u.faceIndex, distance, flagged: distance > threshold };
  });
  return { faces, skipped, threshold, centre };
}
