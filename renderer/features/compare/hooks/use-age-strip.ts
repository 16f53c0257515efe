/** The same face at several ages (aging:strip); frames stream in through aging:stripFrame events. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StudioError } from '../../../../preload/contract';
import { imageUrl } from '../../../lib/result';
import { useStudio } from '../../../lib/use-studio';

export const STRIP_AGES = [10, 25, 40, 55, 70, 85] as const;

export interface StripFrame {
  age: number;
  url: string;
}

let seq = 0;

export function useAgeStrip() {
  const studio = useStudio();
  const [frames, setFrames] = useState<(StripFrame | null)[]>([]);
  const [error, setError] = useState<StudioError | null>(null);
  const [running, setRunning] = useState(false);
  const current = useRef<string | null>(null);
  const urls = useRef<string[]>([]);

  const revokeAll = () => {
    for (const u of urls.current) URL.revokeObjectURL(u);
    urls.current = [];
  };

  useEffect(
    () =>
      studio.aging.onStripFrame((f) => {
        if (f.requestId !== current.current) return;
        const url = imageUrl(f.image);
        urls.current.push(url);
        setFrames((fs) => fs.map((x, i) => (i === f.index ? { age: f.age, url } : x)));
      }),
    [studio],
  );
  useEffect(() => revokeAll, []);

  const run = useCallback(
    async (photoId: string, faceIndex: number, modelId: string, ages: readonly number[] = STRIP_AGES) => {
      if (current.current) void studio.aging.cancel({ requestId: current.current });
      const requestId = `strip-${Date.now().toString(36)}-${++seq}`;
      current.current = requestId;
      revokeAll();
      setFrames(ages.map(() => null));
      setError(null);
      setRunning(true);
      const r = await studio.aging.strip({ requestId, photoId, faceIndex, modelId, ages: [...ages] });
      if (current.current !== requestId) return;
      setRunning(false);
      if (!r.ok) {
        if (r.error.code !== 'cancelled') setError(r.error);
        return;
      }
      // The response carries every frame too; fill any the events did not deliver.
      setFrames((fs) =>
        r.value.frames.map((f, i) => {
          const have = fs[i];
          if (have) return have;
          const url = imageUrl(f.image);
          urls.current.push(url);
          return { age: f.age, url };
        }),
      );
    },
    [studio],
  );

  /** Forget the strip (another photo or model was picked): its frames show a different face. */
  const reset = useCallback(() => {
    if (current.current) void studio.aging.cancel({ requestId: current.current });
    current.current = null;
    revokeAll();
    setFrames([]);
    setError(null);
    setRunning(false);
  }, [studio]);

  return { frames, error, running, run, reset };
}
