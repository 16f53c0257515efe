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
  prototype: 'Prototype (no training)',
};

export function modelLabel(m: ModelSummary): string {
  return `${m.name} · ${KIND_LABEL[m.kind]} ${m.resolution}px`;
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
        <MenuItem key={m.id} value={m.id} data-testid="model-option">
          <Stack>
            <Typography variant="body2">{modelLabel(m)}</Typography>
            {m.lineage.length > 0 && (
              <Typography variant="caption" color="text.secondary">
                from {m.lineage.map((l) => l.name).join(' → ')}
              </Typography>
            )}
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
