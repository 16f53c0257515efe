/** A run's state as a coloured chip. */
import { Chip } from '@mui/material';
import type { RunState } from '../../../../preload/contract';

const COLOR: Record<RunState, 'default' | 'primary' | 'success' | 'warning' | 'error' | 'info'> = {
  queued: 'default',
  running: 'primary',
  paused: 'warning',
  completed: 'success',
  failed: 'error',
  cancelled: 'default',
  interrupted: 'warning',
};

export function RunStateChip({ state }: { state: RunState }) {
  return <Chip size="small" label={state} color={COLOR[state]} variant={state === 'running' ? 'filled' : 'outlined'} data-testid="run-state" />;
}
