/** The target-age slider with a large readout; reports drags and the release separately. */
import { Box, Slider, Stack, Typography } from '@mui/material';
import { memo } from 'react';
import { formatAge, formatTargetAge } from '../../../components/format-age';

export interface AgeSliderProps {
  value: number;
  estimatedAge: number | null;
  disabled?: boolean;
  onDrag: (age: number) => void;
  onRelease: (age: number) => void;
}

const MARKS = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90].map((v) => ({ value: v, label: String(v) }));

/** Memoised: a shown preview re-renders the screen, and the slider has nothing new to draw then. */
export const AgeSlider = memo(function AgeSlider({ value, estimatedAge, disabled, onDrag, onRelease }: AgeSliderProps) {
  const marks = estimatedAge === null ? MARKS : [...MARKS, { value: estimatedAge, label: '' }];
  return (
    <Stack spacing={1} sx={{ width: '100%', maxWidth: 560, mx: 'auto' }}>
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'baseline' }}>
        <Typography variant="h3" component="output" data-testid="target-age" sx={{ fontWeight: 700, fontVariantNumeric: 'tabular-nums', minWidth: 90 }}>
          {formatTargetAge(value)}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          target age
          {estimatedAge !== null && ` · looks ~${formatAge(estimatedAge)} now`}
        </Typography>
      </Stack>
      <Box sx={{ px: 1 }}>
        <Slider
          value={value}
          min={0}
          max={90}
          step={0.5}
          shiftStep={10}
          marks={marks}
          disabled={disabled}
          // The large readout above shows the age; a bubble would cover its caption.
          valueLabelDisplay="off"
          valueLabelFormat={formatTargetAge}
          onChange={(_, v) => onDrag(v as number)}
          onChangeCommitted={(_, v) => onRelease(v as number)}
          slotProps={{ input: { 'aria-label': 'Target age', 'data-testid': 'age-slider-input' } as Record<string, string> }}
          data-testid="age-slider"
        />
      </Box>
    </Stack>
  );
});
