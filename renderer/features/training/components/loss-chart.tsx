/** Live loss curves, one line per loss, on the step axis. */
import { Paper, Typography } from '@mui/material';
import { LineChart } from '@mui/x-charts/LineChart';
import { useMemo } from 'react';
import { lossSeries, type HistoryPoint } from '../api/run-state';
import { lossLabel } from '../api/loss-names';

export function LossChart({ history }: { history: HistoryPoint[] }) {
  const { steps, series } = useMemo(() => lossSeries(history), [history]);
  return (
    <Paper variant="outlined" sx={{ p: 2, flex: 1, minWidth: 0 }} data-testid="loss-chart" data-points={steps.length}>
      <Typography variant="subtitle2" sx={{ mb: 1 }}>
        Losses
      </Typography>
      {steps.length < 2 ? (
        <Typography variant="body2" color="text.secondary" sx={{ py: 8, textAlign: 'center' }}>
          Loss curves appear here after the first logged steps.
        </Typography>
      ) : (
        <LineChart
          height={260}
          xAxis={[{ data: steps, label: 'step', scaleType: 'linear' }]}
          series={series.map((s) => ({ data: s.data, label: lossLabel(s.name), showMark: false, connectNulls: true }))}
          margin={{ left: 8, right: 16, top: 16, bottom: 8 }}
        />
      )}
    </Paper>
  );
}
