/** Picks the model version to age with: shipped bases first, then trained and fine-tuned versions with lineage. */
import { ListSubheader, MenuItem, Stack, TextField, Typography } from '@mui/material';
import type { ModelSummary } from '../../preload/contract';

const GROUPS: { origin: ModelSummary['origin']; label: string }[] = [
  { origin: 'shipped', label: 'Base models' },
  { origin: 'fine-tuned', label: 'Fine-tuned' },
  { origin: 'trained', label: 'Trained here' },
];

export const KIND_LABEL: Record<ModelSummary['kind'], string> = {
  'age-cgan': 'Age-cGAN',
  cyclegan: 'CycleGAN',
  prototype: 'Prototype',
};

/** What each kind is, for the picker's second line. */
const KIND_HINT: Record<ModelSummary['kind'], string> = {
  'age-cgan': 'Age-cGAN',
  cyclegan: 'CycleGAN',
  prototype: 'Prototype · mean faces, no training',
};

/**
 * The shipped models by folder name: what each is for, in one line (measured: models/eval/BASELINES.md,
 * sessions 5 and 8), and a display name where the folder's is not one.
 */
const SHIPPED_INFO: Record<string, { name?: string; purpose: string }> = {
  engineered: { name: 'Engineered stages', purpose: 'Ages furthest: reshapes the face, greys hair; no training' },
  'age-cgan': { purpose: 'Age-cGAN · learned; keeps the person best over small age gaps' },
  cyclegan: { purpose: 'CycleGAN · learned, milder; keeps the person most often' },
  prototype: { purpose: 'Prototype · mean faces, no training; simplest and fastest' },
};

const shippedInfo = (m: ModelSummary) => (m.origin === 'shipped' ? SHIPPED_INFO[m.name] : undefined);

/**
 * The model's own name, or its kind's name when the name only repeats the kind (the shipped
 * folders are named after their kind: "prototype").
 */
export function modelName(m: ModelSummary): string {
  const display = shippedInfo(m)?.name;
  if (display) return display;
  const plain = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return plain(m.name) === plain(m.kind) || plain(m.name) === plain(KIND_LABEL[m.kind]) ? KIND_LABEL[m.kind] : m.name;
}

/** One line: name, kind (unless the name is the kind) and resolution. */
export function modelLabel(m: ModelSummary): string {
  const name = modelName(m);
  return name === KIND_LABEL[m.kind] || shippedInfo(m)?.name ? `${name} · ${m.resolution} px` : `${name} · ${KIND_LABEL[m.kind]} · ${m.resolution} px`;
}

/** The picker's second line: what a shipped model is for, or the kind; resolution; where the version comes from. */
export function modelDetail(m: ModelSummary): string {
  const from = m.lineage.length > 0 ? ` · from ${m.lineage.map((l) => l.name).join(' → ')}` : '';
  return `${shippedInfo(m)?.purpose ?? KIND_HINT[m.kind]} · ${m.resolution} px${from}`;
}

export interface ModelPickerProps {
  models: ModelSummary[];
  value: string | null;
  onChange: (id: string) => void;
  label?: string;
  disabled?: boolean;
}

export function ModelPicker({ models, value, onChange, label = 'Model', disabled }: ModelPickerProps) {
  const items = GROUPS.flatMap((g) => {
    const ms = models.filter((m) => m.origin === g.origin);
    if (ms.length === 0) return [];
    return [
      <ListSubheader key={`h-${g.origin}`}>{g.label}</ListSubheader>,
      ...ms.map((m) => (
        <MenuItem key={m.id} value={m.id} data-testid="model-option" data-kind={m.kind}>
          <Stack>
            <Typography variant="body2">{modelName(m)}</Typography>
            <Typography variant="caption" color="text.secondary">
              {modelDetail(m)}
            </Typography>
          </Stack>
        </MenuItem>
      )),
    ];
  });
  return (
    <TextField
      select
      fullWidth
      label={label}
      value={value && models.some((m) => m.id === value) ? value : ''}
      onChange={(e) => onChange(e.target.value)}
      disabled={disabled || models.length === 0}
      helperText={models.length === 0 ? 'No models in the library yet' : undefined}
      slotProps={{ htmlInput: { 'data-testid': 'model-picker' }, select: { renderValue: (v) => {
        const m = models.find((x) => x.id === v);
        return m ? modelLabel(m) : '';
      } } }}
    >
      {items}
    </TextField>
  );
}
