/** One run's loss history and latest sample grid, following live events while it trains. */
import { useEffect, useState } from 'react';
import type { StudioError } from '../../../../preload/contract';
import { imageUrl } from '../../../lib/result';
import { useStudio } from '../../../lib/use-studio';
import { appendHistory, type HistoryPoint } from '../api/run-state';

export function useRunDetail(runId: string | null) {
  const studio = useStudio();
  const [history, setHistory] = useState<HistoryPoint[]>([]);
  const [config, setConfig] = useState<Record<string, unknown>>({});
  const [error, setError] = useState<StudioError | null>(null);
  const [grid, setGrid] = useState<{ step: number; url: string } | null>(null);
  const [gridTick, setGridTick] = useState(0);

  useEffect(() => {
    setHistory([]);
    setGrid(null);
    setError(null);
    if (!runId) return;
    let live = true;
    void studio.training.get({ runId }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setHistory((h) => {
          // Events may have arrived before the snapshot: keep whichever is further along.
          const base = r.value.history;
          const lastStep = base[base.length - 1]?.step ?? -1;
          return [...base, ...h.filter((x) => x.step > lastStep)];
        });
        setConfig(r.value.config);
      } else setError(r.error);
    });
    const offs = [
      studio.training.onProgress((p) => live && p.runId === runId && setHistory((h) => appendHistory(h, p))),
      studio.training.onSampleGrid((g) => live && g.runId === runId && setGridTick((t) => t + 1)),
    ];
    return () => {
      live = false;
      offs.forEach((off) => off());
    };
  }, [studio, runId]);

  useEffect(() => {
    if (!runId) return;
    let live = true;
    let url: string | null = null;
    void studio.training.sampleGrid({ runId }).then((r) => {
      if (!live || !r.ok) return;
      url = imageUrl(r.value.image);
      setGrid({ step: r.value.step, url });
    });
    return () => {
      live = false;
      // Keep the previous grid on screen until the next one is decoded; revoke it a bit later.
      if (url) {
        const u = url;
        setTimeout(() => URL.revokeObjectURL(u), 5000);
      }
    };
  }, [studio, runId, gridTick]);

  return { history, config, error, grid };
}
