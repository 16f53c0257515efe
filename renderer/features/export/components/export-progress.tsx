/** Progress of the running export with cancel, and how it ended. */
import { Alert, AlertTitle, Button, LinearProgress, Paper, Stack, Typography } from '@mui/material';
import { useEffect, useRef } from 'react';
import { ErrorNotice } from '../../../components/error-notice';
import type { useExportJob } from '../hooks/use-export-job';

export function ExportProgress({ x }: { x: ReturnType<typeof useExportJob> }) {
  const ref = useRef<HTMLDivElement>(null);
  // The form is taller than the window: bring progress and the outcome into view when they change.
  useEffect(() => {
    // Braces: newer Chromium returns a promise from scrollIntoView, and an effect may only return a cleanup.
    ref.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [x.phase]);
  if (x.phase === 'idle' || x.phase === 'choosing') return null;
  const pct = x.job && x.job.total > 0 ? (100 * x.job.done) / x.job.total : 0;
  return (
    <Paper ref={ref} variant="outlined" sx={{ p: 2.5 }} data-testid="export-progress" data-phase={x.phase}>
      {x.phase === 'running' && (
        <Stack spacing={1.25}>
          <Stack direction="row" sx={{ alignItems: 'center' }}>
            <Typography variant="body2" sx={{ flex: 1 }}>
              {x.job ? `Writing ${x.job.done} of ${x.job.total}${x.job.currentName ? `: ${x.job.currentName}` : ''}` : 'Starting…'}
            </Typography>
            <Button color="inherit" onClick={() => void x.cancel()} data-testid="export-cancel">
              Cancel
            </Button>
          </Stack>
          <LinearProgress variant={x.job ? 'determinate' : 'indeterminate'} value={pct} />
        </Stack>
      )}
      {x.phase === 'done' && (
        <Alert severity="success" onClose={x.reset}>
          <AlertTitle>Export finished</AlertTitle>
          {x.job?.outputs.length ?? 0} file(s) saved to {x.where}.
        </Alert>
      )}
      {x.phase === 'cancelled' && <Alert severity="info" onClose={x.reset}>Export cancelled.</Alert>}
      {x.phase === 'failed' && x.error && <ErrorNotice error={x.error} action="Export" />}
    </Paper>
  );
}
