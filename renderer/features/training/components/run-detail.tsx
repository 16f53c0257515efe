/** The selected run: progress, speed, ETA, pause/resume/cancel (resume from checkpoint when interrupted), loss curves and the latest sample grid. */
import CancelIcon from '@mui/icons-material/CancelOutlined';
import PauseIcon from '@mui/icons-material/Pause';
import PlayIcon from '@mui/icons-material/PlayArrow';
import { Box, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Divider, LinearProgress, Paper, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { ErrorNotice } from '../../../components/error-notice';
import { formatDuration } from '../../../components/format-age';
import { LabeledValue } from '../../../components/labeled-value';
import { notifyError } from '../../../hooks/notify-store';
import { useStudio } from '../../../lib/use-studio';
import { liveSpeed, progressPercent, type LiveRun } from '../api/run-state';
import { lossLabel } from '../api/loss-names';
import { useRunDetail } from '../hooks/use-run-detail';
import { IdentityResult } from './identity-result';
import { LossChart } from './loss-chart';
import { RunStateChip } from './run-state-chip';

const ACTION_LABEL = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel', resumeInterrupted: 'Resume from checkpoint' } as const;

export function RunDetail({ run }: { run: LiveRun }) {
  const studio = useStudio();
  const d = useRunDetail(run.runId);
  const act = (what: 'pause' | 'resume' | 'cancel' | 'resumeInterrupted', keep?: boolean) =>
    void (what === 'cancel' ? studio.training.cancel({ runId: run.runId, keep }) : studio.training[what]({ runId: run.runId })).then((r) => {
      if (!r.ok) notifyError(r.error, ACTION_LABEL[what]);
    });
  // An interrupted run can still be given up for good (Cancel) instead of resumed.
  const cancellable = run.state === 'running' || run.state === 'paused' || run.state === 'queued' || run.state === 'interrupted';
  const [confirming, setConfirming] = useState(false);
  // Keeping needs a live training process to export the checkpoint; an interrupted run has none.
  const keepable = run.state !== 'interrupted';
  const stop = (keep: boolean) => {
    setConfirming(false);
    act('cancel', keep);
  };
  // Coming back to the tab, the speed is the last logged one until the next progress event.
  const { stepsPerSec, etaSec } = liveSpeed(run, d.history);
  return (
    <Stack spacing={2.5} sx={{ flex: 1, minWidth: 0 }} data-testid="run-detail">
      <Paper variant="outlined" sx={{ p: 2.5 }}>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2 }}>
          <Typography variant="h6" sx={{ flex: 1 }}>
            {run.name}
          </Typography>
          <RunStateChip state={run.state} />
          {run.state === 'running' && <Button startIcon={<PauseIcon />} onClick={() => act('pause')} data-testid="run-pause">Pause</Button>}
          {run.state === 'paused' && <Button startIcon={<PlayIcon />} onClick={() => act('resume')} data-testid="run-resume">Resume</Button>}
          {run.state === 'interrupted' && (
            <Button startIcon={<PlayIcon />} onClick={() => act('resumeInterrupted')} data-testid="run-resume-interrupted">
              Resume from checkpoint
            </Button>
          )}
          {cancellable && (
            <>
              {/* Apart from Pause: stopping for good is not the same gesture as taking a break. */}
              <Divider orientation="vertical" flexItem sx={{ mx: 1 }} />
              <Button color="error" variant="outlined" startIcon={<CancelIcon />} onClick={() => setConfirming(true)} data-testid="run-cancel">
                Stop training…
              </Button>
            </>
          )}
        </Stack>
        <LinearProgress variant="determinate" value={Math.floor(progressPercent(run))} sx={{ mb: 2 }} />
        <Stack direction="row" spacing={5}>
          <LabeledValue large label="Step" value={`${run.step} / ${run.steps}`} testId="run-step" />
          <LabeledValue large label="Speed" value={stepsPerSec !== null ? `${stepsPerSec.toFixed(2)} steps/s` : '--'} testId="run-speed" />
          <LabeledValue large label="Time left" value={run.state === 'running' ? formatDuration(etaSec) : '--'} testId="run-eta" />
          {Object.entries(run.lastLosses).slice(0, 3).map(([k, v]) => <LabeledValue large key={k} label={lossLabel(k)} value={v.toFixed(4)} />)}
        </Stack>
        {run.error && <Typography color="error" variant="body2" sx={{ mt: 2 }}>{run.error}</Typography>}
      </Paper>
      <Dialog open={confirming} onClose={() => setConfirming(false)} data-testid="run-cancel-confirm">
        <DialogTitle>Stop this training run for good?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {keepable
              ? `The run stops after its current step (${run.step} of ${run.steps}). Keep what it learned to save it as a new model version, named as stopped at that step; or discard it. A stopped run cannot be continued. To take a break and continue later, use Pause instead.`
              : `This run's training process is gone: what it learned is not saved as a model version when it stops. To keep it, resume the run from its checkpoint and stop it then.`}
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          {run.state === 'running' && (
            <Button onClick={() => { setConfirming(false); act('pause'); }} data-testid="run-cancel-pause-instead">
              Pause instead
            </Button>
          )}
          <Button onClick={() => setConfirming(false)} autoFocus={!keepable}>Keep training</Button>
          <Button color="error" variant={keepable ? 'outlined' : 'contained'} onClick={() => stop(false)} data-testid="run-cancel-discard">
            Stop and discard
          </Button>
          {keepable && (
            <Button variant="contained" onClick={() => stop(true)} autoFocus data-testid="run-cancel-keep">
              Stop and keep what it learned
            </Button>
          )}
        </DialogActions>
      </Dialog>
      {d.error && <ErrorNotice error={d.error} action="Loading the run" />}
      {run.kind === 'fine-tune' && run.outputModelId && <IdentityResult runId={run.runId} modelId={run.outputModelId} />}
      <Stack direction="row" spacing={2.5} sx={{ alignItems: 'stretch' }}>
        <LossChart history={d.history} />
        <Paper variant="outlined" sx={{ p: 2, width: 300, flexShrink: 0 }} data-testid="sample-grid">
          <Typography variant="subtitle2" sx={{ mb: 1 }}>
            Samples {d.grid ? `· step ${d.grid.step}` : ''}
          </Typography>
          {d.grid ? (
            <Box component="img" src={d.grid.url} alt={`Samples at step ${d.grid.step}`} sx={{ width: 1, borderRadius: 1.5, display: 'block' }} />
          ) : (
            <Typography variant="body2" color="text.secondary" sx={{ py: 8, textAlign: 'center' }}>
              A grid of generated faces refreshes here as training goes.
            </Typography>
          )}
        </Paper>
      </Stack>
    </Stack>
  );
}
