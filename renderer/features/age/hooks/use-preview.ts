/**
 * Binds a PreviewScheduler to studio.aging for one screen; previews are blob: URLs in its LRU.
 * Prefetching waits for the screen to call `painted()` once a shown preview is on screen (or for
 * PAINT_WAIT_MS, when the stage does not show it): the engine's next pass would otherwise take the
 * core the renderer needs to decode and paint the preview the user is waiting for.
 * Once a preview has stayed on screen for ESTIMATE_DELAY_MS with no newer one on its way, the
 * estimator's age of it is asked for (aging:estimate, about the cost of a preview, so never during a
 * drag) and shown with it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
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

/**
 * How long a preview must stay, with nothing else on its way, before its age is estimated. The
 * estimate ages the face again and runs the age net (~110 ms on one wasm thread) in the same engine
 * as the previews and the scheduler's prefetches, so it waits for a pause in the slider's use.
 */
export const ESTIMATE_DELAY_MS = 1000;
/** Longest wait for a shown preview's paint before prefetching anyway (original held, whole-photo view). */
export const PAINT_WAIT_MS = 250;
/** Estimates kept per screen (one number per photo, face, model and age). */
const MAX_ESTIMATES = 200;
let estimateSeq = 0;

const estimateKey = (t: PreviewTarget) => `${t.photoId}|${t.faceIndex}|${t.modelId}|${t.age}`;

export function usePreview() {
  const studio = useStudio();
  const [shown, setShown] = useState<ShownPreview<PreviewImage> | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ error: StudioError; target: PreviewTarget } | null>(null);

  const [scheduler, setScheduler] = useState<PreviewScheduler<PreviewImage> | null>(null);

  // A shown preview not yet on screen holds back the prefetch queued behind it.
  const paint = useRef<{ pending: boolean; queued: (() => void) | null; timer: ReturnType<typeof setTimeout> | undefined }>({
    pending: false,
    queued: null,
    timer: undefined,
  });
  const painted = useCallback(() => {
    const p = paint.current;
    clearTimeout(p.timer);
    p.pending = false;
    const run = p.queued;
    p.queued = null;
    // After this frame's paint rather than before it.
    if (run) setTimeout(run, 0);
  }, []);

  // Made in an effect (not a memo) so StrictMode's mount-unmount-mount gets a live scheduler.
  useEffect(() => {
    const p = paint.current;
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
          clearTimeout(p.timer);
          p.pending = true;
          p.timer = setTimeout(painted, PAINT_WAIT_MS);
          setShown(s);
          setError(null);
        },
        onError: (e, target) => setError({ error: e, target }),
        onBusy: setBusy,
        idle: (prefetch) => {
          if (p.pending) p.queued = prefetch;
          else prefetch();
        },
      });
    setScheduler(s);
    return () => {
      clearTimeout(p.timer);
      p.queued = null;
      s.dispose();
    };
  }, [studio, painted]);

  const [estimates, setEstimates] = useState<ReadonlyMap<string, number>>(new Map());
  useEffect(() => {
    // Not while a newer preview is on its way: the slider goes first (the effect's cleanup cancels).
    if (!shown || busy || shown.draft || shown.value.estimatedAge !== null || estimates.has(estimateKey(shown.target))) return;
    const t = shown.target;
    const requestId = `estimate-${++estimateSeq}`;
    let sent = false;
    let live = true;
    const timer = setTimeout(() => {
      sent = true;
      void studio.aging.estimate({ requestId, photoId: t.photoId, faceIndex: t.faceIndex, modelId: t.modelId, targetAge: t.age }).then((r) => {
        if (!live || !r.ok) return;
        setEstimates((m) => {
          const next = new Map(m);
          next.set(estimateKey(t), r.value.estimatedAge);
          if (next.size > MAX_ESTIMATES) next.delete(next.keys().next().value as string);
          return next;
        });
      });
    }, ESTIMATE_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
      if (sent) void studio.aging.cancel({ requestId });
    };
  }, [studio, shown, busy, estimates]);

  // The shown preview with its estimate, once known.
  const withEstimate = useMemo(() => {
    if (!shown || shown.value.estimatedAge !== null) return shown;
    const age = estimates.get(estimateKey(shown.target));
    return age === undefined ? shown : { ...shown, value: { ...shown.value, estimatedAge: age } };
  }, [shown, estimates]);

  return { scheduler, shown: withEstimate, busy, error, painted };
}
