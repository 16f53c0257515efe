/**
 * The preview stage: the aged face (or the original while Space is held / before the first
 * preview), with a thin progress line while a newer preview is on its way.
 */
import FaceIcon from '@mui/icons-material/FaceRetouchingNaturalOutlined';
import { Box, Chip, LinearProgress, Paper, Stack, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { formatTargetAge } from '../../../components/format-age';
import type { ShownPreview } from '../api/preview-scheduler';
import type { PreviewImage } from '../hooks/use-preview';
import { memo, useState } from 'react';
import { WholePhotoView, type WholePhotoViewProps } from './whole-photo-view';

export interface AgeStageProps {
  beforeUrl: string | null;
  preview: ShownPreview<PreviewImage> | null;
  showBefore: boolean;
  busy: boolean;
  onPreviewShown?: (el: HTMLImageElement) => void;
  /** What "Whole photo" shows: the photo and where the face is aged at the released age. */
  whole: Omit<WholePhotoViewProps, 'showBefore'> | null;
}

export const AgeStage = memo(function AgeStage({ beforeUrl, preview, showBefore, busy, onPreviewShown, whole }: AgeStageProps) {
  const [view, setView] = useState<'face' | 'photo'>('face');
  const showing = showBefore || !preview ? 'before' : 'after';
  const url = showing === 'before' ? beforeUrl : preview?.value.url;
  return (
    <Paper
      variant="outlined"
      data-testid="age-stage"
      data-showing={showing}
      sx={{
        position: 'relative',
        overflow: 'hidden',
        aspectRatio: '1 / 1',
        // Square, as large as fits above the slider without scrolling.
        height: 'min(520px, calc(100vh - 400px))',
        minHeight: 240,
        maxWidth: '100%',
        mx: 'auto',
        bgcolor: (t) => (t.palette.mode === 'dark' ? '#0a0b0d' : '#e9ecf0'),
        borderRadius: 3,
      }}
    >
      {whole && (
        <ToggleButtonGroup
          exclusive
          size="small"
          value={view}
          onChange={(_, v: 'face' | 'photo' | null) => v && setView(v)}
          sx={{ position: 'absolute', right: 12, top: 12, zIndex: 3, bgcolor: 'rgba(0,0,0,0.55)', backdropFilter: 'blur(4px)', '& .MuiToggleButton-root': { color: '#ddd', py: 0.25 } }}
          data-testid="stage-view"
        >
          <ToggleButton value="face" data-testid="stage-view-face">Face</ToggleButton>
          <ToggleButton value="photo" data-testid="stage-view-photo">Whole photo</ToggleButton>
        </ToggleButtonGroup>
      )}
      {whole && view === 'photo' && <WholePhotoView {...whole} showBefore={showBefore} />}
      {busy && <LinearProgress sx={{ position: 'absolute', top: 0, left: 0, right: 0, zIndex: 2, borderRadius: 0, height: 3 }} data-testid="preview-busy" />}
      {whole && view === 'photo' ? null : url ? (
        <Box
          component="img"
          src={url}
          alt={showing === 'before' ? 'Original face' : `Aged to ${preview ? formatTargetAge(preview.target.age) : ''}`}
          data-testid={showing === 'before' ? 'before-image' : 'preview-image'}
          data-age={showing === 'after' && preview ? preview.target.age : undefined}
          data-from-cache={showing === 'after' && preview ? String(preview.fromCache) : undefined}
          data-draft={showing === 'after' && preview ? String(preview.draft) : undefined}
          data-engine-ms={showing === 'after' && preview ? preview.value.engineMs.toFixed(1) : undefined}
          // Request to answer in the renderer (the slider bench's breakdown).
          data-latency-ms={showing === 'after' && preview ? preview.latencyMs.toFixed(1) : undefined}
          onLoad={(e) => onPreviewShown?.(e.currentTarget)}
          // Contain, never cover: the whole face (forehead to chin) and the whole photo stay in view.
          sx={{ width: 1, height: 1, objectFit: 'contain', display: 'block' }}
        />
      ) : (
        <Stack spacing={1} sx={{ position: 'absolute', inset: 0, alignItems: 'center', justifyContent: 'center', color: 'text.secondary' }}>
          <FaceIcon sx={{ fontSize: 56, opacity: 0.5 }} />
          <Typography variant="body2">Pick a photo to see its face here</Typography>
        </Stack>
      )}
      {url && !(whole && view === 'photo') && (
        <Chip
          label={showing === 'before' ? 'Original' : `Age ${formatTargetAge(preview!.target.age)}`}
          size="small"
          data-testid="stage-label"
          sx={{ position: 'absolute', left: 12, bottom: 12, bgcolor: 'rgba(0,0,0,0.6)', color: '#fff', backdropFilter: 'blur(4px)' }}
        />
      )}
    </Paper>
  );
});
