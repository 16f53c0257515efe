/** Compare: before and after at full resolution, side by side or as a wipe, zoomed together; the age strip below. */
import CompareIcon from '@mui/icons-material/CompareOutlined';
import ZoomInIcon from '@mui/icons-material/ZoomIn';
import ZoomOutIcon from '@mui/icons-material/ZoomOut';
import { Button, IconButton, Paper, Slider, Stack, ToggleButton, ToggleButtonGroup, Tooltip, Typography } from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice';
import { formatTargetAge } from '../../components/format-age';
import { ModelPicker } from '../../components/model-picker';
import { NoPhotosState } from '../../components/no-photos-state';
import { PhotoPicker } from '../../components/photo-picker';
import { ScreenFrame } from '../../components/screen-frame';
import { clampAge } from '../../hooks/session-store';
import { usePhotoImage } from '../../hooks/use-photo-image';
import { useWorkContext } from '../../hooks/use-work-context';
import { AgeStrip } from './components/age-strip';
import { CompareViewer } from './components/compare-viewer';
import { useAgeStrip } from './hooks/use-age-strip';
import { useAgedPhoto } from '../../hooks/use-aged-photo';
import { useZoomPan } from './hooks/use-zoom-pan';

export default function CompareScreen() {
  const w = useWorkContext();
  const { session, update } = w;
  const [mode, setMode] = useState<'side' | 'wipe'>('side');
  const [dragAge, setDragAge] = useState<number | null>(null);
  const full = usePhotoImage(session.photoId);
  const age = Math.round(session.targetAge);
  const { aged, error, busy } = useAgedPhoto(session.photoId, session.faceIndex, session.modelId, age);
  const content = useMemo(() => (full.image ? { width: full.image.width, height: full.image.height } : null), [full.image]);
  // Opens framed on the face being compared rather than on the whole photo at a small scale.
  const zoom = useZoomPan(content, w.face?.box ?? null);
  const strip = useAgeStrip();
  const { reset: resetStrip } = strip;
  useEffect(() => resetStrip(), [session.photoId, session.faceIndex, session.modelId, resetStrip]);
  const picked = w.photoList.find((p) => p.id === session.photoId);
  const faceless = picked?.faceCount === 0;

  if (w.photos.data && w.photoList.length === 0) {
    return (
      <NoPhotosState
        screen="compare"
        icon={<CompareIcon />}
        title="Nothing to compare yet"
        body="Import a portrait in the Library; here you will see it before and after aging, side by side or with a wipe."
      />
    );
  }

  const afterLabel = session.showBefore ? 'Before (Space)' : `Age ${formatTargetAge(age)}`;
  const afterNotice = error ? (
    <ErrorNotice error={error} action="Aging" />
  ) : !session.modelId ? (
    <Typography color="grey.300">No aging model is installed yet.</Typography>
  ) : null;

  return (
    <ScreenFrame testId="compare-screen">
      <Stack direction="row" spacing={3} sx={{ alignItems: 'flex-start' }}>
        <PhotoPicker photos={w.photoList} activeId={session.photoId} onPick={(p) => update({ photoId: p.id, faceIndex: 0 })} />
        <Stack spacing={2.5} sx={{ flex: 1, minWidth: 0 }}>
          <Paper variant="outlined" sx={{ px: 2, py: 1.25 }}>
            <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
              <ToggleButtonGroup exclusive size="small" value={mode} onChange={(_, m) => m && setMode(m)}>
                <ToggleButton value="side" data-testid="mode-side">Side by side</ToggleButton>
                <ToggleButton value="wipe" data-testid="mode-wipe">Wipe</ToggleButton>
              </ToggleButtonGroup>
              <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', flex: 1, minWidth: 220 }}>
                <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
                  Age <b data-testid="compare-age">{formatTargetAge(dragAge ?? age)}</b>
                </Typography>
                <Slider
                  size="small"
                  min={0}
                  max={90}
                  step={1}
                  value={dragAge ?? age}
                  onChange={(_, v) => setDragAge(v as number)}
                  onChangeCommitted={(_, v) => {
                    setDragAge(null);
                    update({ targetAge: clampAge(v as number) });
                  }}
                  slotProps={{ input: { 'aria-label': 'Target age' } }}
                />
              </Stack>
              <Stack direction="row" spacing={0.5}>
                <Tooltip title="Zoom out"><IconButton size="small" onClick={() => zoom.zoomBy(1 / 1.5)}><ZoomOutIcon /></IconButton></Tooltip>
                <Tooltip title="Zoom in"><IconButton size="small" onClick={() => zoom.zoomBy(1.5)} data-testid="zoom-in"><ZoomInIcon /></IconButton></Tooltip>
                <Button size="small" onClick={zoom.fit} data-testid="zoom-fit">Fit</Button>
                <Button size="small" onClick={zoom.actual} data-testid="zoom-100">100%</Button>
              </Stack>
              <Typography variant="caption" color="text.secondary" data-testid="zoom-level" sx={{ minWidth: 44 }}>
                {zoom.view ? `${Math.round(zoom.view.scale * 100)}%` : ''}
              </Typography>
            </Stack>
          </Paper>
          <Stack sx={{ height: 'calc(100vh - 470px)', minHeight: 320 }}>
            {full.error ? (
              <ErrorNotice error={full.error} action="Loading the photo" />
            ) : full.image ? (
              <CompareViewer
                mode={mode}
                photo={full.image}
                aged={session.showBefore ? null : aged}
                view={zoom.view}
                paneRef={zoom.paneRef}
                bind={zoom.bind as unknown as Record<string, (e: never) => void>}
                afterLabel={afterLabel}
                afterNotice={session.showBefore ? null : afterNotice}
                busy={busy}
              />
            ) : (
              <Paper variant="outlined" sx={{ flex: 1, display: 'grid', placeItems: 'center' }}>
                <Typography color="text.secondary">{session.photoId ? 'Loading photo…' : 'Pick a photo on the left'}</Typography>
              </Paper>
            )}
          </Stack>
          <AgeStrip
            frames={strip.frames}
            running={strip.running}
            error={strip.error}
            disabled={!session.photoId || !session.modelId || faceless}
            onRun={() => session.photoId && session.modelId && void strip.run(session.photoId, session.faceIndex, session.modelId)}
            onPick={(a) => update({ targetAge: a, showBefore: false })}
          />
        </Stack>
        <Paper variant="outlined" sx={{ width: 260, flexShrink: 0, p: 2.5 }}>
          <Stack spacing={2}>
            <ModelPicker models={w.modelList} value={session.modelId} onChange={(id) => update({ modelId: id, showBefore: false })} />
            <Typography variant="body2" color="text.secondary">
              Scroll to zoom, drag to pan: both sides move together. Double-click for full resolution. Space shows the original on both sides.
            </Typography>
          </Stack>
        </Paper>
      </Stack>
    </ScreenFrame>
  );
}
