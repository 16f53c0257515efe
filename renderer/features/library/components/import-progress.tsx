/** Progress of a running import and, once done, what came in and which files failed and why. */
import { Alert, AlertTitle, Box, LinearProgress, List, ListItem, ListItemText, Paper, Stack, Typography } from '@mui/material';
import { plural } from '../../../components/format-age';
import type { ImportState } from '../hooks/use-import';

export function ImportProgress({ state, onClose }: { state: ImportState; onClose: () => void }) {
  if (!state.running && !state.finished) return null;
  const pct = state.total > 0 ? (100 * state.done) / state.total : 0;
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="import-progress" data-running={state.running}>
      {state.running ? (
        <Stack spacing={1}>
          <Typography variant="body2">
            Importing {state.done} of {plural(state.total, 'file')}…
          </Typography>
          <LinearProgress variant="determinate" value={pct} data-testid="import-bar" />
        </Stack>
      ) : (
        <Alert
          severity={state.failed.length > 0 ? (state.imported + state.duplicates > 0 ? 'warning' : 'error') : 'success'}
          onClose={onClose}
          data-testid="import-summary"
        >
          <AlertTitle>
            {plural(state.imported, 'photo')} imported
            {state.duplicates > 0 && `, ${state.duplicates} already in the library`}
            {state.failed.length > 0 && `, ${state.failed.length} failed`}
          </AlertTitle>
          {state.failed.length > 0 && (
            <Box sx={{ maxHeight: 160, overflow: 'auto' }}>
              <List dense disablePadding data-testid="import-errors">
                {state.failed.map((f, i) => (
                  <ListItem key={`${f.name}-${i}`} disableGutters data-testid="import-error">
                    <ListItemText primary={f.name} secondary={f.message} />
                  </ListItem>
                ))}
              </List>
            </Box>
          )}
        </Alert>
      )}
    </Paper>
  );
}
