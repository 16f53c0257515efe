/** What the engine detected: backend, device, threads, versions, restarts. */
import { Chip, Paper, Stack, Typography } from '@mui/material';
import type { EngineStatus } from '../../../../preload/contract';

function Item({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Stack sx={{ minWidth: 120 }}>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="body2" data-testid={testId} sx={{ fontWeight: 600 }}>
        {value}
      </Typography>
    </Stack>
  );
}

export function EngineCard({ status }: { status: EngineStatus | null }) {
  return (
    <Paper variant="outlined" sx={{ p: 2.5 }} data-testid="engine-card">
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', mb: 2 }}>
        <Typography variant="subtitle1" sx={{ flex: 1 }}>
          Engine
        </Typography>
        <Chip size="small" label={status?.state ?? 'connecting'} color={status?.state === 'ready' ? 'success' : status?.state === 'failed' ? 'error' : 'warning'} />
      </Stack>
      <Stack direction="row" useFlexGap spacing={3} sx={{ flexWrap: 'wrap' }}>
        <Item label="Backend in use" value={status?.backend ?? '--'} testId="detected-backend" />
        <Item label="Device" value={status?.device ?? '--'} />
        <Item label="Threads" value={status?.threads != null ? String(status.threads) : 'auto'} testId="detected-threads" />
        <Item label="TensorFlow.js" value={status?.versions.tfjs ?? '--'} />
        <Item label="App" value={status?.versions.app ?? '--'} />
        <Item label="Restarts" value={String(status?.restarts ?? 0)} />
      </Stack>
      {status?.lastError && (
        <Typography variant="body2" color="error" sx={{ mt: 2 }}>
          Last error: {status.lastError}
        </Typography>
      )}
    </Paper>
  );
}
