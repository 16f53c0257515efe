/**
 * Runs one export: chooses the destination (native folder under Electron, a browser download
 * otherwise), starts it, follows export:progress, cancels, and saves downloads when done.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ExportJob, StudioError } from '../../../../preload/contract';
import { useStudio } from '../../../lib/use-studio';
import { toRequest, type ExportForm } from '../api/export-form';

export type ExportPhase = 'idle' | 'choosing' | 'running' | 'done' | 'failed' | 'cancelled';

function download(name: string, mime: string, bytes: Uint8Array) {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function useExportJob() {
  const studio = useStudio();
  const [phase, setPhase] = useState<ExportPhase>('idle');
  const [job, setJob] = useState<(ExportJob & { currentName?: string | null }) | null>(null);
  const [error, setError] = useState<StudioError | null>(null);
  const [where, setWhere] = useState<string | null>(null);
  const exportId = useRef<string | null>(null);
  const isDownload = useRef(false);

  const finish = useCallback(
    async (final: ExportJob) => {
      if (final.state === 'done' && isDownload.current) {
        const r = await studio.export.result({ exportId: final.exportId });
        if (!r.ok) {
          setError(r.error);
          return setPhase('failed');
        }
        for (const f of r.value.files) download(f.name, f.mime, f.bytes);
      }
      setPhase(final.state === 'done' ? 'done' : final.state === 'cancelled' ? 'cancelled' : 'failed');
      if (final.error) setError({ code: 'internal', message: final.error });
    },
    [studio],
  );

  useEffect(
    () =>
      studio.export.onProgress((p) => {
        if (p.exportId !== exportId.current) return;
        setJob(p);
        if (p.state === 'done' || p.state === 'failed' || p.state === 'cancelled') void finish(p);
      }),
    [studio, finish],
  );

  const start = useCallback(
    async (form: ExportForm) => {
      setError(null);
      setJob(null);
      setPhase('choosing');
      let destination: { kind: 'grant'; grantId: string } | { kind: 'download' } = { kind: 'download' };
      const chosen = await studio.dialogs.chooseExportDestination({ title: 'Export to folder' });
      if (chosen.ok) {
        if (!chosen.value.grant) return setPhase('idle');
        destination = { kind: 'grant', grantId: chosen.value.grant.grantId };
        setWhere(chosen.value.grant.name);
      } else if (chosen.error.code === 'unsupported' || chosen.error.code === 'not-available-yet') {
        setWhere('your browser downloads');
      } else {
        setError(chosen.error);
        return setPhase('failed');
      }
      isDownload.current = destination.kind === 'download';
      const r = await studio.export.start(toRequest(form, destination));
      if (!r.ok) {
        setError(r.error);
        return setPhase('failed');
      }
      exportId.current = r.value.exportId;
      setPhase('running');
    },
    [studio],
  );

  const cancel = useCallback(async () => {
    if (!exportId.current) return;
    const r = await studio.export.cancel({ exportId: exportId.current });
    if (!r.ok) setError(r.error);
  }, [studio]);

  return { phase, job, error, where, start, cancel, reset: () => setPhase('idle') };
}
