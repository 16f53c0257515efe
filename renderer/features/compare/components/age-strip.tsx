/** Six ages of the same face in a row, filling in as the engine streams frames. */
import ViewWeekIcon from '@mui/icons-material/ViewWeekOutlined';
import { Box, Button, ButtonBase, Paper, Skeleton, Stack, Typography } from '@mui/material';
import type { StudioError } from '../../../../preload/contract';
import { ErrorNotice } from '../../../components/error-notice';
import type { StripFrame } from '../hooks/use-age-strip';
import { STRIP_AGES } from '../hooks/use-age-strip';

export interface AgeStripProps {
  frames: (StripFrame | null)[];
  running: boolean;
  error: StudioError | null;
  disabled: boolean;
  onRun: () => void;
  /** A frame was clicked: show the photo at that age. */
  onPick: (age: number) => void;
}

export function AgeStrip({ frames, running, error, disabled, onRun, onPick }: AgeStripProps) {
  const cells = frames.length > 0 ? frames : STRIP_AGES.map(() => null);
  return (
    <Paper variant="outlined" sx={{ p: 2.5 }} data-testid="age-strip">
      <Stack direction="row" sx={{ alignItems: 'center', mb: 2 }} spacing={2}>
        <Typography variant="subtitle1" sx={{ flex: 1 }}>
          Age strip
        </Typography>
        <Button variant="outlined" startIcon={<ViewWeekIcon />} onClick={onRun} disabled={disabled || running} data-testid="run-strip">
          {running ? 'Generating…' : frames.length > 0 ? 'Regenerate' : 'Generate strip'}
        </Button>
      </Stack>
      {error && (
        <Box sx={{ mb: 2 }}>
          <ErrorNotice error={error} action="Age strip" />
        </Box>
      )}
      <Box sx={{ display: 'grid', gridTemplateColumns: `repeat(${cells.length}, 1fr)`, gap: 1.5 }}>
        {cells.map((f, i) => (
          <Stack key={i} spacing={0.75} sx={{ alignItems: 'center' }}>
            <ButtonBase
              disabled={!f}
              onClick={() => f && onPick(f.age)}
              aria-label={f ? `Show age ${f.age}` : undefined}
              data-testid="strip-pick"
              sx={{ width: 1, aspectRatio: '1 / 1', borderRadius: 2, overflow: 'hidden', bgcolor: 'action.hover', '&:hover': { outline: 2, outlineColor: 'primary.main' } }}
            >
              {f ? (
                <img src={f.url} alt={`Age ${f.age}`} data-testid="strip-frame" style={{ width: '100%', height: '100%', objectFit: 'cover', display: 'block' }} />
              ) : running ? (
                <Skeleton variant="rectangular" sx={{ width: 1, height: 1 }} />
              ) : null}
            </ButtonBase>
            <Typography variant="caption" color="text.secondary">
              {f ? f.age : STRIP_AGES[i] ?? ''}
            </Typography>
          </Stack>
        ))}
      </Box>
    </Paper>
  );
}
