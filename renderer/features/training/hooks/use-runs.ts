/** All runs as main knows them, kept live by training:runState and training:progress events. */
import { useCallback, useEffect, useState } from 'react';
import type { StudioError } from '../../../../preload/contract';
import { useStudio } from '../../../lib/use-studio';
import { applyProgress, applyRunState, fromList, type LiveRun } from '../api/run-state';

export function useRuns() {
  const studio = useStudio();
  const [runs, setRuns] = useState<LiveRun[] | null>(null);
  const [error, setError] = useState<StudioError | null>(null);

  const reload = useCallback(() => {
    void studio.training.list().then((r) => {
      if (r.ok) {
        setRuns((prev) => fromList(r.value.runs, prev ?? []));
        setError(null);
      } else setError(r.error);
    });
  }, [studio]);

  useEffect(() => {
    reload();
    const offs = [
      studio.training.onRunState((run) => setRuns((rs) => applyRunState(rs ?? [], run))),
      studio.training.onProgress((p) => setRuns((rs) => (rs ? applyProgress(rs, p) : rs))),
      studio.library.onChanged((e) => e.kind === 'runs' && reload()),
    ];
    return () => offs.forEach((off) => off());
  }, [studio, reload]);

  return { runs, error, reload };
}
