/** A small label with its value: inline (label left, value right) or stacked (caption over value). */
import { Stack, Typography } from '@mui/material';

export interface LabeledValueProps {
  label: string;
  value: string;
  testId?: string;
  layout?: 'inline' | 'stacked';
  /** Stacked only: a large value for headline numbers. */
  large?: boolean;
}

export function LabeledValue({ label, value, testId, layout = 'stacked', large }: LabeledValueProps) {
  const inline = layout === 'inline';
  return (
    <Stack direction={inline ? 'row' : 'column'} sx={inline ? { justifyContent: 'space-between' } : { minWidth: 110 }}>
      <Typography variant={inline ? 'body2' : 'caption'} color="text.secondary">
        {label}
      </Typography>
      <Typography
        variant={large ? 'h6' : 'body2'}
        data-testid={testId}
        sx={{ fontWeight: large ? undefined : 600, fontVariantNumeric: 'tabular-nums', whiteSpace: large ? 'nowrap' : undefined }}
      >
        {value}
      </Typography>
    </Stack>
  );
}
