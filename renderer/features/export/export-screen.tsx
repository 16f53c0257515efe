/** Export: photos x ages as full-resolution files, a contact sheet or an animated timeline. */
import IosShareIcon from '@mui/icons-material/IosShare';
import { Alert, Button, Paper, Stack, Typography } from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { plural } from '../../components/format-age';
import { NoPhotosState } from '../../components/no-photos-state';
import { PhotoPicker } from '../../components/photo-picker';
import { ScreenFrame } from '../../components/screen-frame';
import { useWorkContext } from '../../hooks/use-work-context';
import { DEFAULT_FORM, outputCount, validateExport, type ExportForm } from './api/export-form';
import { ExportOptions } from './components/export-options';
import { ExportProgress } from './components/export-progress';
import { useExportJob } from './hooks/use-export-job';

export default function ExportScreen() {
  const w = useWorkContext();
  const { session, update } = w;
  const [form, setForm] = useState<ExportForm>(() => ({
    ...DEFAULT_FORM,
    photoIds: session.selectedPhotoIds.length > 0 ? session.selectedPhotoIds : session.photoId ? [session.photoId] : [],
    ages: [Math.round(session.targetAge)],
    modelId: session.modelId,
  }));
  const set = (p: Partial<ExportForm>) => setForm((f) => ({ ...f, ...p }));
  const job = useExportJob();

  useEffect(() => {
    if (!form.modelId && session.modelId) set({ modelId: session.modelId });
    if (form.photoIds.length === 0 && session.photoId) set({ photoIds: [session.photoId] });
  }, [session.modelId, session.photoId, form.modelId, form.photoIds.length]);

  // Ctrl+E lands here with the pending flag; the form is already filled from the selection.
  useEffect(() => {
    if (session.pending === 'export') update({ pending: null });
  }, [session.pending, update]);

  const checked = useMemo(() => new Set(form.photoIds), [form.photoIds]);
  const problems = validateExport(form);

  if (w.photos.data && w.photoList.length === 0) {
    return (
      <NoPhotosState
        screen="export"
        icon={<IosShareIcon />}
        title="Nothing to export yet"
        body="Import photos in the Library and age them; then export them here at full resolution, as a contact sheet or as an animation."
      />
    );
  }

  const running = job.phase === 'running' || job.phase === 'choosing';
  return (
    <ScreenFrame testId="export-screen">
      <Stack direction="row" spacing={3} sx={{ alignItems: 'flex-start' }}>
        <PhotoPicker
          title={`Photos · ${form.photoIds.length} picked`}
          photos={w.photoList}
          activeId={null}
          checked={checked}
          onPick={(p) => set({ photoIds: checked.has(p.id) ? form.photoIds.filter((id) => id !== p.id) : [...form.photoIds, p.id] })}
        />
        <Stack spacing={2.5} sx={{ flex: 1, minWidth: 0, maxWidth: 820 }}>
          <ExportOptions form={form} set={set} models={w.modelList} sliderAge={Math.round(session.targetAge)} />
          <Paper variant="outlined" sx={{ p: 2.5 }}>
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
              <Stack sx={{ flex: 1 }}>
                <Typography variant="subtitle1" data-testid="export-summary">
                  {plural(outputCount(form), 'image')} from {plural(form.photoIds.length, 'photo')} at {plural(form.ages.length, 'age')}
                </Typography>
                <Typography variant="body2" color="text.secondary">
                  You choose a folder in the desktop app; in a browser the files download.
                </Typography>
              </Stack>
              <Button
                variant="contained"
                size="large"
                startIcon={<IosShareIcon />}
                disabled={problems.length > 0 || running}
                onClick={() => void job.start(form)}
                data-testid="export-start"
              >
                Export
              </Button>
            </Stack>
            {problems.length > 0 && (
              <Alert severity="info" sx={{ mt: 2 }} data-testid="export-problems">
                {problems.join(' ')}
              </Alert>
            )}
          </Paper>
          <ExportProgress x={job} />
        </Stack>
      </Stack>
    </ScreenFrame>
  );
}
