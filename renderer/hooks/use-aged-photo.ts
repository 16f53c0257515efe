/**
 * The aged face pasted back into the photo at full resolution, for the current target.
 * A change of target cancels the previous request (aging:cancel) so only the latest is worked on.
 */
import { useEffect, useState } from 'react';
import type { Rect, StudioError } from '../../preload/contract';
import { imageUrl } from '../lib/result';
import { useStudio } from '../lib/use-studio';

export interface AgedPhoto {
  key: string;
  url: string;
  region: Rect;
  estimatedAge: number | null;
}

let seq = 0;

export function useAgedPhoto(photoId: string | null, faceIndex: number, modelId: string | null, age: number) {
  const studio = useStudio();
  const [result, setResult] = useState<AgedPhoto | null>(null);
  const [error, setError] = useState<StudioError | null>(null);
  const [busy, setBusy] = useState(false);
  const key = photoId && modelId ? `${photoId}|${faceIndex}|${modelId}|${age}` : '';

  useEffect(() => {
    if (!photoId || !modelId) return;
    const requestId = `cmp-${Date.now().toString(36)}-${++seq}`;
    let live = true;
    let url: string | null = null;
    setBusy(true);
    setError(null);
    void studio.aging.preview({ requestId, photoId, faceIndex, modelId, targetAge: age, output: 'pasted' }).then((r) => {
      if (!live) return;
      setBusy(false);
      if (!r.ok) {
        if (r.error.code !== 'cancelled') setError(r.error);
        return;
      }
      if (!r.value.pasted) return setError({ code: 'internal', message: 'the engine returned no pasted image' });
      url = imageUrl(r.value.pasted.image);
      setResult({ key: `${photoId}|${faceIndex}|${modelId}|${age}`, url, region: r.value.pasted.region, estimatedAge: r.value.estimatedAge });
    });
    return () => {
      live = false;
      void studio.aging.cancel({ requestId });
      if (url) URL.revokeObjectURL(url);
    };
  }, [studio, photoId, faceIndex, modelId, age]);

  return { aged: result?.key === key ? result : null, error, busy };
}
