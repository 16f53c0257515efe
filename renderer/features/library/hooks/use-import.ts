/**
 * Import with progress: native dialog grants under Electron, picked or dropped File objects
 * elsewhere. Batches go one after another so one bad file fails alone, and main's per-photo
 * progress events (photos:importProgress, matched by importId) move the bar photo by photo.
 */
import { useCallback, useState } from 'react';
import type { StudioError } from '../../../../preload/contract';
import { useStudio } from '../../../lib/use-studio';
import { planImport } from '../api/import-plan';

export interface ImportState {
  running: boolean;
  done: number;
  total: number;
  imported: number;
  duplicates: number;
  failed: { name: string; message: string }[];
  /** The request itself failed (not one file). */
  error: StudioError | null;
  finished: boolean;
}

let importSeq = 0;

/**
 * Sends one import request and follows its per-photo progress: `onDone(n)` with the number of
 * its files done so far.
 */
async function importWithProgress<R>(
  studio: ReturnType<typeof useStudio>,
  send: (importId: string) => Promise<R>,
  onDone: (n: number) => void,
): Promise<R> {
  const importId = `import-${Date.now().toString(36)}-${++importSeq}`;
  const off = studio.photos.onImportProgress((p) => {
    if (p.importId === importId) onDone(p.done);
  });
  try {
    return await send(importId);
  } finally {
    off();
  }
}

const IDLE: ImportState = { running: false, done: 0, total: 0, imported: 0, duplicates: 0, failed: [], error: null, finished: false };

export function useImport(projectId: string | null) {
  const studio = useStudio();
  const [state, setState] = useState<ImportState>(IDLE);

  const importFiles = useCallback(
    async (files: readonly File[]) => {
      const plan = planImport(files);
      const total = plan.batches.reduce((n, b) => n + b.length, 0) + plan.skipped.length;
      let s: ImportState = { ...IDLE, running: true, total, done: plan.skipped.length, failed: [...plan.skipped] };
      setState(s);
      for (const batch of plan.batches) {
        const payload = await Promise.all(batch.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
        const base = s.done;
        const r = await importWithProgress(
          studio,
          (importId) => studio.photos.import({ projectId, importId, source: { kind: 'bytes', files: payload } }),
          (n) => setState((cur) => (cur.running ? { ...cur, done: Math.max(cur.done, base + n) } : cur)),
        );
        if (r.ok) {
          s = {
            ...s,
            done: s.done + batch.length,
            imported: s.imported + r.value.imported.length,
            duplicates: s.duplicates + r.value.duplicates.length,
            failed: [...s.failed, ...r.value.failed.map((f) => ({ name: f.name, message: f.message }))],
          };
        } else {
          s = {
            ...s,
            done: s.done + batch.length,
            error: r.error,
            failed: [...s.failed, ...batch.map((f) => ({ name: f.name, message: r.error.message }))],
          };
        }
        setState(s);
      }
      setState({ ...s, running: false, finished: true });
      return s;
    },
    [studio, projectId],
  );

  const importGrants = useCallback(
    async (grantIds: string[]) => {
      let s: ImportState = { ...IDLE, running: true, total: grantIds.length };
      setState(s);
      for (let i = 0; i < grantIds.length; i += 100) {
        const chunk = grantIds.slice(i, i + 100);
        const base = s.done;
        const r = await importWithProgress(
          studio,
          (importId) => studio.photos.import({ projectId, importId, source: { kind: 'grants', grantIds: chunk } }),
          (n) => setState((cur) => (cur.running ? { ...cur, done: Math.max(cur.done, base + n) } : cur)),
        );
        s = r.ok
          ? {
              ...s,
              done: s.done + chunk.length,
              imported: s.imported + r.value.imported.length,
              duplicates: s.duplicates + r.value.duplicates.length,
              failed: [...s.failed, ...r.value.failed.map((f) => ({ name: f.name, message: f.message }))],
            }
          : { ...s, done: s.done + chunk.length, error: r.error };
        setState(s);
      }
      setState({ ...s, running: false, finished: true, total: Math.max(s.total, s.imported + s.duplicates + s.failed.length) });
      return s;
    },
    [studio, projectId],
  );

  const reset = useCallback(() => setState(IDLE), []);
  return { state, importFiles, importGrants, reset };
}
