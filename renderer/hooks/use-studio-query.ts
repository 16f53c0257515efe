/**
 * Loads one Result-returning request and keeps its state: `{ data, error, loading, reload }`.
 * Reloads when `deps` change and when main announces a library change of one of `refreshOn`.
 * Stale answers (from before the latest reload) are dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Result, StudioError } from '../../preload/contract';
import { useStudio } from '../lib/use-studio';

export type LibraryKind = 'projects' | 'photos' | 'faces' | 'models' | 'runs' | 'exports';

export interface QueryState<T> {
  data: T | null;
  error: StudioError | null;
  loading: boolean;
  reload: () => void;
}

export function useStudioQuery<T>(
  fetcher: (() => Promise<Result<T>>) | null,
  deps: readonly unknown[],
  refreshOn: readonly LibraryKind[] = [],
): QueryState<T> {
  const studio = useStudio();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<StudioError | null>(null);
  const [loading, setLoading] = useState(fetcher !== null);
  const generation = useRef(0);
  const fetchRef = useRef(fetcher);
  fetchRef.current = fetcher;

  const reload = useCallback(() => {
    const fetch = fetchRef.current;
    const mine = ++generation.current;
    if (!fetch) {
      setData(null);
      setLoading(false);
      return;
    }
    setLoading(true);
    void fetch().then((r) => {
      if (mine !== generation.current) return;
      setLoading(false);
      if (r.ok) {
        setData(r.value);
        setError(null);
      } else setError(r.error);
    });
  }, []);

  useEffect(reload, deps);

  const kinds = refreshOn.join(',');
  useEffect(() => {
    if (!kinds) return;
    const wanted = new Set(kinds.split(','));
    return studio.library.onChanged((e) => {
      if (wanted.has(e.kind)) reload();
    });
  }, [studio, kinds, reload]);

  return { data, error, loading, reload };
}
