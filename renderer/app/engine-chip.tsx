/** App-bar chip: the engine's backend from a real ping through main, with state and details. */
import MemoryIcon from '@mui/icons-material/Memory';
import { Chip, Tooltip } from '@mui/material';
import { useEnginePing, useEngineStatus } from '../lib/use-studio';

export function EngineChip() {
  const status = useEngineStatus();
  // Ping again whenever the engine (re)becomes ready, e.g. after a crash and restart.
  const readyKey = status?.state === 'ready' ? `ready-${status.pid ?? ''}` : 'not-ready';
  const [ping, repeat] = useEnginePing(readyKey);

  let label = 'Engine: connecting';
  let color: 'default' | 'success' | 'warning' | 'error' = 'default';
  if (status && status.state !== 'ready') {
    label = `Engine: ${status.state}`;
    color = status.state === 'failed' ? 'error' : 'warning';
  } else if (ping.kind === 'ok') {
    label = `Engine: ${ping.value.backend}`;
    color = 'success';
  } else if (ping.kind === 'error') {
    label = `Engine: ${ping.error.code}`;
    color = 'error';
  }

  const details = [
    status?.device && `Device: ${status.device}`,
    status?.threads != null && `Threads: ${status.threads}${status.threadSwitches > 0 ? ` (switched ${status.threadSwitches}x under load)` : ''}`,
    status?.pid != null && `Engine process: ${status.pid}`,
    ping.kind === 'ok' && `Round trip: ${ping.value.roundTripMs.toFixed(1)} ms`,
    ping.kind === 'error' && ping.error.message,
    status?.lastError && `Last error: ${status.lastError}`,
    status && status.restarts > 0 && `Restarts: ${status.restarts}`,
    'Click to ping again',
  ].filter(Boolean);

  return (
    <Tooltip title={<span style={{ whiteSpace: 'pre-line' }}>{details.join('\n')}</span>}>
      <Chip
        data-testid="engine-status"
        data-state={status?.state ?? 'unknown'}
        data-backend={ping.kind === 'ok' ? ping.value.backend : ''}
        icon={<MemoryIcon />}
        label={label}
        color={color}
        variant="outlined"
        onClick={repeat}
        sx={{ bgcolor: 'background.paper' }}
      />
    </Tooltip>
  );
}
