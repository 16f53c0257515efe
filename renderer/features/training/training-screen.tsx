/** Training: start runs and guided fine-tunes, follow them live, browse the run history. */
import AddIcon from '@mui/icons-material/Add';
import PersonIcon from '@mui/icons-material/PersonOutlined';
import ModelTrainingIcon from '@mui/icons-material/ModelTraining';
import { Button, CircularProgress, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { EmptyState } from '../../components/empty-state';
import { ErrorNotice } from '../../components/error-notice';
import { ScreenFrame } from '../../components/screen-frame';
import { useStudioQuery } from '../../hooks/use-studio-query';
import { useStudio } from '../../lib/use-studio';
import { sessionStore } from '../../hooks/session-store';
import { ACTIVE_STATES } from './api/run-state';
import { FinetuneDialog } from './components/finetune-dialog';
import { RunDetail } from './components/run-detail';
import { RunList } from './components/run-list';
import { StartRunDialog } from './components/start-run-dialog';
import { useRuns } from './hooks/use-runs';

export default function TrainingScreen() {
  const studio = useStudio();
  const { runs, error, reload } = useRuns();
  const [picked, setPicked] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'run' | 'finetune' | null>(null);
  const models = useStudioQuery(() => studio.models.list(), [studio], ['models']);
  const projects = useStudioQuery(() => studio.projects.list(), [studio], ['projects', 'photos']);
  const tags = useStudioQuery(() => studio.photos.tags(), [studio], ['photos']);

  const list = runs ?? [];
  // Default to the run that is training now, else the newest.
  const activeId = picked ?? list.find((r) => ACTIVE_STATES.has(r.state))?.runId ?? list[0]?.runId ?? null;
  const active = list.find((r) => r.runId === activeId) ?? null;

  return (
    <ScreenFrame testId="training-screen">
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center' }}>
        <Typography variant="body2" color="text.secondary" sx={{ flex: 1 }}>
          Runs keep going in the engine when this window closes; this page always shows their current state.
        </Typography>
        <Button startIcon={<PersonIcon />} variant="outlined" onClick={() => setDialog('finetune')} data-testid="open-finetune">
          Fine-tune on a person
        </Button>
        <Button startIcon={<AddIcon />} variant="contained" onClick={() => setDialog('run')} data-testid="open-start-run">
          New run
        </Button>
      </Stack>
      {error && <ErrorNotice error={error} action="Loading runs" onRetry={reload} />}
      {runs === null && !error ? (
        <CircularProgress sx={{ alignSelf: 'center' }} aria-label="loading runs" />
      ) : list.length === 0 ? (
        <EmptyState
          testId="training-empty"
          icon={<ModelTrainingIcon />}
          title="No training runs yet"
          body="Train an aging model on your library, or fine-tune a base model on 10 to 50 photos of one person so aged faces stay recognisably theirs. Progress, losses and samples show up here live."
          action={
            <Stack direction="row" spacing={1.5}>
              <Button variant="outlined" onClick={() => setDialog('finetune')}>Fine-tune on a person</Button>
              <Button variant="contained" onClick={() => setDialog('run')}>Start a run</Button>
            </Stack>
          }
        />
      ) : (
        <Stack direction="row" spacing={3} sx={{ alignItems: 'flex-start' }}>
          <RunList runs={list} activeId={activeId} onPick={setPicked} />
          {active && <RunDetail key={active.runId} run={active} />}
        </Stack>
      )}
      <StartRunDialog
        open={dialog === 'run'}
        onClose={() => setDialog(null)}
        onStarted={setPicked}
        models={models.data?.models ?? []}
        projects={projects.data?.projects ?? []}
        tags={(tags.data?.tags ?? []).map((t) => t.tag)}
      />
      {dialog === 'finetune' && (
        <FinetuneDialog
          open
          onClose={() => setDialog(null)}
          onStarted={setPicked}
          projects={projects.data?.projects ?? []}
          initialProjectId={sessionStore.get().projectId}
          models={models.data?.models ?? []}
        />
      )}
    </ScreenFrame>
  );
}
