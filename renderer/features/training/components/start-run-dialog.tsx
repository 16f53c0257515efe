/** Start a training run: model kind, base model, which library photos, steps, resolution. */
import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
} from '@mui/material';
import { useState } from 'react';
import { FINETUNE_DEFAULT_STEPS, type ModelSummary, type Project, type StudioError } from '../../../../preload/contract';
import { ErrorNotice } from '../../../components/error-notice';
import { modelLabel } from '../../../components/model-picker';
import { useStudio } from '../../../lib/use-studio';

export interface StartRunDialogProps {
  open: boolean;
  onClose: () => void;
  onStarted: (runId: string) => void;
  models: ModelSummary[];
  projects: Project[];
  tags: string[];
}

export function StartRunDialog({ open, onClose, onStarted, models, projects, tags }: StartRunDialogProps) {
  const studio = useStudio();
  // The kind of the models there are: CycleGAN when the library has one, else Age-cGAN.
  const [kind, setKind] = useState<'age-cgan' | 'cyclegan'>(() =>
    !models.some((m) => m.kind === 'cyclegan') && models.some((m) => m.kind === 'age-cgan') ? 'age-cgan' : 'cyclegan',
  );
  const [base, setBase] = useState<string>('');
  const [by, setBy] = useState<'project' | 'tag'>('project');
  const [projectId, setProjectId] = useState('');
  const [tag, setTag] = useState('');
  // null: the kind's default (FINETUNE_DEFAULT_STEPS, within the 15-minute CPU budget).
  const [steps, setSteps] = useState<number | null>(null);
  const [resolution, setResolution] = useState<64 | 128 | 256>(128);
  const [name, setName] = useState('');
  const [error, setError] = useState<StudioError | null>(null);
  const [busy, setBusy] = useState(false);
  const bases = models.filter((m) => m.kind === kind);
  // The studio fine-tunes a model it has (training from scratch is `face-age train`): the first
  // model of the kind is the default start.
  const baseModel = bases.find((m) => m.id === base) ?? bases[0] ?? null;
  const project = projectId || projects[0]?.id || '';
  const ready = (by === 'project' ? !!project : !!tag) && baseModel !== null;

  const start = async () => {
    setBusy(true);
    setError(null);
    const r = await studio.training.start({
      kind,
      baseModelId: baseModel?.id ?? null,
      selection: by === 'project' ? { by: 'project', projectId: project } : { by: 'tag', tag },
      steps: steps ?? FINETUNE_DEFAULT_STEPS[kind],
      resolution: baseModel && [64, 128, 256].includes(baseModel.resolution) ? (baseModel.resolution as 64 | 128 | 256) : resolution,
      name: name.trim() || undefined,
    });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    onStarted(r.value.runId);
    onClose();
  };

  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="start-run-dialog">
      <DialogTitle>New training run</DialogTitle>
      <DialogContent>
        <Stack spacing={2.5} sx={{ pt: 1 }}>
          <ToggleButtonGroup exclusive size="small" value={kind} onChange={(_, v) => v && (setKind(v), setBase(''))}>
            <ToggleButton value="cyclegan">CycleGAN</ToggleButton>
            <ToggleButton value="age-cgan">Age-cGAN</ToggleButton>
          </ToggleButtonGroup>
          <TextField
            select
            label="Start from"
            value={baseModel?.id ?? ''}
            onChange={(e) => setBase(e.target.value)}
            slotProps={{
              select: { displayEmpty: true, renderValue: () => (baseModel ? modelLabel(baseModel) : 'Nothing to start from yet') },
              inputLabel: { shrink: true },
            }}
          >
            <MenuItem value="" disabled>
              Scratch (random weights): on the command line, face-age train
            </MenuItem>
            {bases.map((m) => (
              <MenuItem key={m.id} value={m.id}>
                {modelLabel(m)}
              </MenuItem>
            ))}
          </TextField>
          <Stack direction="row" spacing={2}>
            <TextField select label="Photos by" value={by} onChange={(e) => setBy(e.target.value as 'project' | 'tag')} sx={{ width: 150 }}>
              <MenuItem value="project">Project</MenuItem>
              <MenuItem value="tag">Tag</MenuItem>
            </TextField>
            {by === 'project' ? (
              <TextField
                select
                label="Project"
                value={project}
                onChange={(e) => setProjectId(e.target.value)}
                // Shrunk always: the value arrives with the project list, after the first render.
                slotProps={{ inputLabel: { shrink: true } }}
                sx={{ flex: 1 }}
              >
                {projects.map((p) => (
                  <MenuItem key={p.id} value={p.id}>
                    {p.name} ({p.photoCount})
                  </MenuItem>
                ))}
              </TextField>
            ) : (
              <TextField select label="Tag" value={tag} onChange={(e) => setTag(e.target.value)} sx={{ flex: 1 }} helperText={tags.length === 0 ? 'No tags in the library yet' : undefined}>
                {tags.map((t) => (
                  <MenuItem key={t} value={t}>
                    {t}
                  </MenuItem>
                ))}
              </TextField>
            )}
          </Stack>
          <Stack direction="row" spacing={2}>
            <TextField
              type="number"
              label="Steps"
              value={steps ?? FINETUNE_DEFAULT_STEPS[kind]}
              onChange={(e) => setSteps(e.target.value === '' ? null : Math.max(1, Math.min(1_000_000, Number(e.target.value) || 1)))}
              sx={{ width: 150 }}
              slotProps={{ htmlInput: { 'data-testid': 'run-steps' } }}
            />
            <TextField
              select
              label="Resolution"
              value={baseModel ? baseModel.resolution : resolution}
              onChange={(e) => setResolution(Number(e.target.value) as 64 | 128 | 256)}
              disabled={baseModel !== null}
              helperText={baseModel ? 'That of the model it starts from' : undefined}
              sx={{ width: 150 }}
            >
              {baseModel && ![64, 128, 256].includes(baseModel.resolution) && <MenuItem value={baseModel.resolution}>{baseModel.resolution} px</MenuItem>}
              {[64, 128, 256].map((r) => (
                <MenuItem key={r} value={r}>
                  {r} px
                </MenuItem>
              ))}
            </TextField>
            <TextField label="Name (optional)" value={name} onChange={(e) => setName(e.target.value)} sx={{ flex: 1 }} />
          </Stack>
          {error && <ErrorNotice error={error} action="Starting training" />}
          {baseModel === null && (
            <Alert severity="info" data-testid="no-base">
              No {kind === 'cyclegan' ? 'CycleGAN' : 'Age-cGAN'} model to start from yet. The studio fine-tunes a model in the library; train one from scratch on the command line with face-age train.
            </Alert>
          )}
          {baseModel !== null && !ready && <Alert severity="info">Pick which photos to train on.</Alert>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
        <Button variant="contained" onClick={() => void start()} disabled={!ready || busy} data-testid="run-start">
          Start training
        </Button>
      </DialogActions>
    </Dialog>
  );
}
