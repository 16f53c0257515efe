/**
 * Guided fine-tune (issue 10): pick 10-50 photos of one person, review the identity check
 * (photos without a usable face are listed and skipped, doubtful ones flagged), then start a
 * fine-tune that writes a new model version whose parent is the chosen base.
 */
import {
  Alert,
  Box,
  Button,
  ButtonBase,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  LinearProgress,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  Stack,
  Step,
  StepLabel,
  Stepper,
  TextField,
  Typography,
} from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import type { CheckPhotosResponse, ModelSummary, Photo, Project, StudioError } from '../../../../preload/contract';
import { ErrorNotice } from '../../../components/error-notice';
import { ModelPicker } from '../../../components/model-picker';
import { PhotoThumb } from '../../../components/photo-thumb';
import { useStudio } from '../../../lib/use-studio';
import { FINETUNE_MAX, FINETUNE_MIN, checkSelection } from '../api/finetune-selection';
import { FINETUNE_DEFAULT_STEPS } from '../../../../preload/contract';
import { defaultModel } from '../../../hooks/default-model';
import { useStudioQuery } from '../../../hooks/use-studio-query';

export interface FinetuneDialogProps {
  open: boolean;
  onClose: () => void;
  onStarted: (runId: string) => void;
  projects: Project[];
  /** The project to start in (the Library's current one), else the one with the most photos. */
  initialProjectId: string | null;
  models: ModelSummary[];
}

const STEPS = ['Pick photos', 'Identity check', 'Fine-tune'];

function ReasonList({ title, items, testId }: { title: string; items: { photo: Photo; reason: string }[]; testId: string }) {
  if (items.length === 0) return null;
  return (
    <Box>
      <Typography variant="subtitle2">{title}</Typography>
      <List dense data-testid={testId}>
        {items.map((s) => (
          <ListItem key={s.photo.id} disableGutters>
            <ListItemText primary={s.photo.name} secondary={s.reason} />
          </ListItem>
        ))}
      </List>
    </Box>
  );
}

export function FinetuneDialog({ open, onClose, onStarted, projects, initialProjectId, models }: FinetuneDialogProps) {
  const studio = useStudio();
  const [step, setStep] = useState(0);
  const [picked, setPicked] = useState<string[]>([]);
  const fallbackProject = [...projects].sort((a, b) => b.photoCount - a.photoCount)[0]?.id ?? null;
  const [chosenProject, setProjectId] = useState<string | null>(null);
  const projectId = chosenProject ?? (projects.some((p) => p.id === initialProjectId && p.photoCount > 0) ? initialProjectId : fallbackProject);
  const listed = useStudioQuery(
    projectId ? () => studio.photos.list({ projectId, limit: 500 }) : null,
    [studio, projectId],
    ['photos', 'faces'],
  );
  // Picks survive a change of project (a person's photos may be spread over several).
  const [known, setKnown] = useState<ReadonlyMap<string, Photo>>(new Map());
  const shownPhotos = listed.data?.items ?? [];
  useEffect(() => {
    if (shownPhotos.length) setKnown((m) => new Map([...m, ...shownPhotos.map((p) => [p.id, p] as const)]));
  }, [shownPhotos]);
  const photos = useMemo(() => [...known.values()], [known]);
  // The engine's verdict on who is in the picked photos (identity descriptors, before training).
  const [identity, setIdentity] = useState<{ key: string; result: CheckPhotosResponse | null; error: StudioError | null } | null>(null);
  // Photos flagged as someone else that the user chose to keep anyway.
  const [keepFlagged, setKeepFlagged] = useState<string[]>([]);
  // Shipped GANs only: the prototype has nothing to train.
  const bases = models.filter((m) => m.origin === 'shipped' && m.kind !== 'prototype');
  const [baseId, setBaseId] = useState<string | null>(null);
  // null: the base kind's default (FINETUNE_DEFAULT_STEPS), which fits the 15-minute CPU budget.
  const [steps, setSteps] = useState<number | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<StudioError | null>(null);
  const pickedPhotos = useMemo(() => photos.filter((p) => picked.includes(p.id)), [photos, picked]);
  const identityKey = pickedPhotos.filter((p) => (p.faceCount ?? 0) > 0).map((p) => p.id).sort().join(',');
  useEffect(() => {
    if (step < 1 || identityKey === '' || identity?.key === identityKey) return;
    let live = true;
    setIdentity({ key: identityKey, result: null, error: null });
    void studio.finetune.checkPhotos({ photoIds: identityKey.split(',') }).then((r) => {
      if (live) setIdentity({ key: identityKey, result: r.ok ? r.value : null, error: r.ok ? null : r.error });
    });
    return () => {
      live = false;
    };
  }, [studio, step, identityKey, identity?.key]);
  const verdict = identity?.key === identityKey ? identity.result : null;
  const check = useMemo(() => checkSelection(pickedPhotos, verdict, keepFlagged), [pickedPhotos, verdict, keepFlagged]);
  const base = baseId ?? defaultModel(bases)?.id ?? null;
  const baseKind = bases.find((m) => m.id === base)?.kind;
  const defaultSteps = baseKind === 'age-cgan' || baseKind === 'cyclegan' ? FINETUNE_DEFAULT_STEPS[baseKind] : undefined;

  const toggle = (id: string) => setPicked((ps) => (ps.includes(id) ? ps.filter((x) => x !== id) : [...ps, id]));
  const start = async () => {
    if (!base) return;
    setError(null);
    const r = await studio.finetune.start({
      baseModelId: base,
      photoIds: check.usable.map((p) => p.id),
      ...(steps === null ? {} : { steps }),
      name: name.trim() || undefined,
    });
    if (!r.ok) return setError(r.error);
    onStarted(r.value.runId);
    onClose();
  };

  return (
    <Dialog open={open} onClose={onClose} maxWidth="md" fullWidth data-testid="finetune-dialog">
      <DialogTitle>Fine-tune on one person</DialogTitle>
      <DialogContent>
        <Stepper activeStep={step} sx={{ mb: 3 }}>
          {STEPS.map((s) => (
            <Step key={s}>
              <StepLabel>{s}</StepLabel>
            </Step>
          ))}
        </Stepper>
        {step === 0 && (
          <Stack spacing={2}>
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
              <Typography variant="body2" color="text.secondary" sx={{ flex: 1 }}>
                Pick {FINETUNE_MIN} to {FINETUNE_MAX} photos of the same person, at different ages if you have them. {picked.length} picked.
              </Typography>
              {projects.length > 1 && (
                <TextField
                  select
                  size="small"
                  label="Project"
                  value={projectId ?? ''}
                  onChange={(e) => setProjectId(e.target.value)}
                  sx={{ minWidth: 200 }}
                  slotProps={{ htmlInput: { 'data-testid': 'finetune-project' } }}
                >
                  {projects.map((p) => (
                    <MenuItem key={p.id} value={p.id} data-testid="finetune-project-option" data-value={p.id}>
                      {p.name} ({p.photoCount})
                    </MenuItem>
                  ))}
                </TextField>
              )}
            </Stack>
            <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(96px, 1fr))', gap: 1, maxHeight: 380, overflow: 'auto' }}>
              {shownPhotos.map((p) => (
                <ButtonBase
                  key={p.id}
                  onClick={() => toggle(p.id)}
                  aria-pressed={picked.includes(p.id)}
                  data-testid="finetune-photo"
                  sx={{ aspectRatio: '1 / 1', borderRadius: 1.5, overflow: 'hidden', outline: 3, outlineColor: picked.includes(p.id) ? 'primary.main' : 'transparent', outlineOffset: -3 }}
                >
                  <PhotoThumb photoId={p.id} alt={p.name} maxEdge={160} focus={p.faceFocus} />
                </ButtonBase>
              ))}
            </Box>
            {listed.data && shownPhotos.length === 0 && (
              <Alert severity="info">
                {projects.length > 1 ? 'This project has no photos; pick another project above, or import' : 'Import'} photos of the person in the Library first.
              </Alert>
            )}
          </Stack>
        )}
        {step === 1 && (
          <Stack spacing={2} data-testid="identity-check">
            <Alert severity={check.blockers.length ? 'warning' : 'success'}>
              {check.usable.length} of {picked.length} photos will be used.{' '}
              {check.blockers.join(' ')}
            </Alert>
            {identity?.key === identityKey && !verdict && !identity.error && <LinearProgress data-testid="identity-checking" />}
            {identity?.key === identityKey && identity.error && <ErrorNotice error={identity.error} action="Comparing the faces" />}
            <ReasonList title="Skipped" items={check.skipped} testId="finetune-skipped" />
            {check.strangers.length > 0 && (
              <Box data-testid="finetune-strangers">
                <Typography variant="subtitle2">Looks like someone else</Typography>
                <Typography variant="caption" color="text.secondary">
                  Compared with the other photos' faces, these look like a different person. They are left out unless you keep them.
                </Typography>
                <List dense>
                  {check.strangers.map((s) => (
                    <ListItem key={s.photo.id} disableGutters data-testid="finetune-stranger" data-photo-id={s.photo.id}>
                      <Box sx={{ width: 48, height: 48, borderRadius: 1, overflow: 'hidden', mr: 1.5, flexShrink: 0 }}>
                        <PhotoThumb photoId={s.photo.id} alt={s.photo.name} maxEdge={96} focus={s.photo.faceFocus} />
                      </Box>
                      <ListItemText primary={s.photo.name} secondary={s.reason} />
                      <FormControlLabel
                        control={
                          <Checkbox
                            checked={keepFlagged.includes(s.photo.id)}
                            onChange={(e) => setKeepFlagged((k) => (e.target.checked ? [...k, s.photo.id] : k.filter((x) => x !== s.photo.id)))}
                          />
                        }
                        label="Same person, keep"
                      />
                    </ListItem>
                  ))}
                </List>
              </Box>
            )}
            <ReasonList title="Flagged" items={check.flagged} testId="finetune-flagged" />
          </Stack>
        )}
        {step === 2 && (
          <Stack spacing={2.5}>
            <ModelPicker models={bases} value={base} onChange={setBaseId} label="Base model" />
            <Stack direction="row" spacing={2}>
              <TextField
                type="number"
                label="Steps"
                value={steps ?? defaultSteps ?? ''}
                onChange={(e) => setSteps(e.target.value === '' ? null : Math.max(1, Math.min(100_000, Number(e.target.value) || 1)))}
                helperText={steps === null ? 'recommended for this model' : undefined}
                sx={{ width: 160 }}
                slotProps={{ htmlInput: { 'data-testid': 'finetune-steps' } }}
              />
              <TextField label="Name of the new version (optional)" value={name} onChange={(e) => setName(e.target.value)} sx={{ flex: 1 }} />
            </Stack>
            <Typography variant="body2" color="text.secondary">
              Fine-tuning writes a new model version with the base as its parent; the base itself is never changed.
            </Typography>
            {error && <ErrorNotice error={error} action="Starting the fine-tune" />}
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
        {step > 0 && <Button onClick={() => setStep(step - 1)}>Back</Button>}
        {step < 2 ? (
          <Button variant="contained" onClick={() => setStep(step + 1)} disabled={step === 0 && picked.length === 0} data-testid="finetune-next">
            Next
          </Button>
        ) : (
          <Button variant="contained" onClick={() => void start()} disabled={!base || check.blockers.length > 0} data-testid="finetune-start">
            Start fine-tune
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
