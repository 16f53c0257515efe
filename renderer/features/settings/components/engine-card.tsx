/** What the engine detected: backend, device, threads, versions, restarts. */
import { Chip, Paper, Stack, Typography } from '@mui/material';
import type { EngineStatus } from '../../../../preload/contract';
import { LabeledValue } from '../../../components/labeled-value';

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
        <LabeledValue label="Backend in use" value={status?.backend ?? '--'} testId="detected-backend" />
        <LabeledValue label="Device" value={status?.device ?? '--'} />
        <LabeledValue label="Threads" value={status?.threads != null ? String(status.threads) : 'auto'} testId="detected-threads" />
        {status && status.threadSwitches > 0 && (
          <LabeledValue label="Thread switches" value={String(status.threadSwitches)} testId="thread-switches" />
        )}
        <LabeledValue label="TensorFlow.js" value={status?.versions.tfjs ?? '--'} />
        <LabeledValue label="App" value={status?.versions.app ?? '--'} />
        <LabeledValue label="Restarts" value={String(status?.restarts ?? 0)} />
      </Stack>
      {status?.lastError && (
        <Typography variant="body2" color="error" sx={{ mt: 2 }}>
          Last error: {status.lastError}
        </Typography>
      )}
    </Paper>
  );
}
