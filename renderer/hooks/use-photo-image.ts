/**
 * A photo as a blob: URL at a given size (thumbnail or full), fetched once and kept in a shared
 * LRU so the grid, pickers and compare view do not fetch the same image twice.
 */
import { useEffect, useState } from 'react';
import type { StudioError } from '../../preload/contract';
import { imageUrl } from '../lib/result';
import { useStudio } from '../lib/use-studio';
import { LruCache } from './lru-cache';

export interface PhotoImage {
  url: string;
  width: number;
  height: number;
}

const cache = new LruCache<string, PhotoImage>(400, (_, v) => URL.revokeObjectURL(v.url));
const inflight = new Map<string, Promise<PhotoImage | StudioError>>();

export function usePhotoImage(photoId: string | null, maxEdge?: number): { image: PhotoImage | null; error: StudioError | null } {
  const studio = useStudio();
  const key = photoId ? `${photoId}@${maxEdge ?? 'full'}` : '';
  const [state, setState] = useState<{ key: string; image: PhotoImage | null; error: StudioError | null }>(() => ({
    key,
    image: key ? (cache.get(key) ?? null) : null,
    error: null,
  }));

  useEffect(() => {
    if (!photoId) return;
    const hit = cache.get(key);
    if (hit) {
      setState({ key, image: hit, error: null });
      return;
    }
    let live = true;
    let p = inflight.get(key);
    if (!p) {
      p = studio.photos.image(maxEdge ? { photoId, maxEdge } : { photoId }).then((r) => {
        inflight.delete(key);
        if (!r.ok) return r.error;
        const img = { url: imageUrl(r.value.image), width: r.value.image.width, height: r.value.image.height };
        cache.set(key, img);
        return img;
      });
      inflight.set(key, p);
    }
    void p.then((v) => {
      if (!live) return;
      if ('url' in v) setState({ key, image: v, error: null });
      else setState({ key, image: null, error: v });
    });
    return () => {
      live = false;
    };
  }, [studio, photoId, maxEdge, key]);

  return state.key === key ? { image: state.image, error: state.error } : { image: key ? (cache.peek(key) ?? null) : null, error: null };
}

/** Drop cached images of deleted photos. */
export function forgetPhotoImages(photoIds: readonly string[]): void {
  for (const k of cache.keys()) if (photoIds.some((id) => k.startsWith(`${id}@`))) cache.delete(k);
}
