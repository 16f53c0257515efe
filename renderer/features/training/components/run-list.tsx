/** Run history: every run with its state, progress and final losses; click to open. */
import { LinearProgress, List, ListItemButton, Paper, Stack, Typography } from '@mui/material';
import { progressPercent, type LiveRun } from '../api/run-state';
import { RunStateChip } from './run-state-chip';

function finalLosses(r: LiveRun): string {
  const entries = Object.entries(r.lastLosses).slice(0, 3);
  return entries.length ? entries.map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' · ') : 'no metrics yet';
}

export function RunList({ runs, activeId, onPick }: { runs: LiveRun[]; activeId: string | null; onPick: (id: string) => void }) {
  return (
    <Paper variant="outlined" sx={{ width: 300, flexShrink: 0, p: 1.5, alignSelf: 'flex-start' }} data-testid="run-history">
      <Typography variant="overline" color="text.secondary" sx={{ px: 1 }}>
        Runs
      </Typography>
      <List dense disablePadding>
        {runs.map((r) => (
          <ListItemButton key={r.runId} selected={r.runId === activeId} onClick={() => onPick(r.runId)} data-testid="run-item" sx={{ display: 'block', py: 1 }}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Typography variant="body2" sx={{ fontWeight: 600, flex: 1 }} noWrap>
                {r.name}
              </Typography>
              <RunStateChip state={r.state} />
            </Stack>
            <Typography variant="caption" color="text.secondary" component="div">
              {r.kind} · step {r.step}/{r.steps}
            </Typography>
            {r.state === 'running' || r.state === 'paused' || r.state === 'interrupted' ? (
              // Whole percent: the value is part of the item's accessible name ("61", not "61.53846153846154").
              <LinearProgress variant="determinate" value={Math.floor(progressPercent(r))} sx={{ mt: 0.75, height: 4 }} />
            ) : (
              <Typography variant="caption" color="text.secondary" component="div" noWrap>
                {finalLosses(r)}
              </Typography>
            )}
          </ListItemButton>
        ))}
      </List>
    </Paper>
  );
}
