/**
 * The "before" image for a face: its aligned crop from main (faces:crop), or, while that is not
 * available (no detection yet), the photo itself.
 */
import { useEffect, useState } from 'react';
import type { StudioError } from '../../preload/contract';
import { imageUrl } from '../lib/result';
import { useStudio } from '../lib/use-studio';
import { usePhotoImage } from './use-photo-image';

export interface BeforeImage {
  url: string | null;
  /** 'crop' = aligned face crop (same framing as the aged preview); 'photo' = whole photo fallback. */
  kind: 'crop' | 'photo';
  cropError: StudioError | null;
}

export function useBeforeImage(photoId: string | null, faceIndex: number, haveFaces: boolean): BeforeImage {
  const studio = useStudio();
  const [crop, setCrop] = useState<{ key: string; url: string | null; error: StudioError | null }>({ key: '', url: null, error: null });
  const key = photoId ? `${photoId}#${faceIndex}` : '';
  const photo = usePhotoImage(photoId, 1024);

  useEffect(() => {
    if (!photoId || !haveFaces) return;
    let live = true;
    let url: string | null = null;
    void studio.faces.crop({ photoId, faceIndex }).then((r) => {
      if (!live) return;
      if (r.ok) {
        url = imageUrl(r.value.image);
        setCrop({ key, url, error: null });
      } else setCrop({ key, url: null, error: r.error });
    });
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [studio, photoId, faceIndex, haveFaces, key]);

  if (crop.key === key && crop.url) return { url: crop.url, kind: 'crop', cropError: null };
  return { url: photo.image?.url ?? null, kind: 'photo', cropError: crop.key === key ? crop.error : null };
}
