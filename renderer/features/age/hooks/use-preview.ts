/** Binds a PreviewScheduler to studio.aging for one screen; previews are blob: URLs in its LRU. */
import { useEffect, useState } from 'react';
import type { StudioError } from '../../../../preload/contract';
import { imageUrl } from '../../../lib/result';
import { useStudio } from '../../../lib/use-studio';
import { PreviewScheduler, type PreviewTarget, type ShownPreview } from '../api/preview-scheduler';

export interface PreviewImage {
  url: string;
  width: number;
  height: number;
  /** Age the estimator sees in the output. */
  estimatedAge: number | null;
  engineMs: number;
}

export function usePreview() {
  const studio = useStudio();
  const [shown, setShown] = useState<ShownPreview<PreviewImage> | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ error: StudioError; target: PreviewTarget } | null>(null);

  const [scheduler, setScheduler] = useState<PreviewScheduler<PreviewImage> | null>(null);

  // Made in an effect (not a memo) so StrictMode's mount-unmount-mount gets a live scheduler.
  useEffect(() => {
    const s = new PreviewScheduler<PreviewImage>({
        send: (req) => studio.aging.preview(req),
        cancel: (requestId) => studio.aging.cancel({ requestId }),
        toValue: (res) =>
          res.crop
            ? { url: imageUrl(res.crop), width: res.crop.width, height: res.crop.height, estimatedAge: res.estimatedAge, engineMs: res.engineMs }
            : res.pasted
              ? { url: imageUrl(res.pasted.image), width: res.pasted.image.width, height: res.pasted.image.height, estimatedAge: res.estimatedAge, engineMs: res.engineMs }
              : null,
        release: (v) => URL.revokeObjectURL(v.url),
        onShow: (s) => {
          setShown(s);
          setError(null);
        },
        onError: (e, target) => setError({ error: e, target }),
        onBusy: setBusy,
      });
    setScheduler(s);
    return () => s.dispose();
  }, [studio]);

  return { scheduler, shown, busy, error };
}
