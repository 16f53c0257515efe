/** When a photo has several faces, pick which one to age (largest first). */
import { Chip, Stack, Typography } from '@mui/material';
import type { Face } from '../../preload/contract';
import { formatAgeLabel } from './format-age';

export function FacePicker({ faces, value, onChange }: { faces: Face[]; value: number; onChange: (i: number) => void }) {
  if (faces.length < 2) return null;
  return (
    <Stack spacing={1}>
      <Typography variant="overline" color="text.secondary">
        Face
      </Typography>
      <Stack direction="row" useFlexGap spacing={1} sx={{ flexWrap: 'wrap' }} data-testid="face-picker">
        {faces.map((f) => (
          <Chip
            key={f.index}
            label={`Face ${f.index + 1} · ${formatAgeLabel(f.estimatedAge)}`}
            color={f.index === value ? 'primary' : 'default'}
            variant={f.index === value ? 'filled' : 'outlined'}
            onClick={() => onChange(f.index)}
          />
        ))}
      </Stack>
    </Stack>
  );
}
