/**
 * Before and after at full resolution with one shared zoom/pan: two panes side by side, or one
 * pane with a draggable wipe (react-compare-slider; only its handle drags so the photo can pan).
 */
import { Box, Chip, CircularProgress, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { ReactCompareSlider } from 'react-compare-slider';
import type { Rect } from '../../../../preload/contract';
import type { View } from '../api/zoom-math';
import { PhotoLayer } from './photo-layer';

export interface CompareViewerProps {
  mode: 'side' | 'wipe';
  photo: { url: string; width: number; height: number };
  aged: { url: string; region: Rect } | null;
  view: View | null;
  paneRef: (el: HTMLElement | null) => void;
  bind: Record<string, (e: never) => void>;
  afterLabel: string;
  /** Shown over the "after" side when there is no aged image (loading or an error). */
  afterNotice: ReactNode;
  busy: boolean;
}

const paneSx = {
  position: 'relative',
  overflow: 'hidden',
  flex: 1,
  minWidth: 0,
  height: '100%',
  borderRadius: 3,
  cursor: 'grab',
  touchAction: 'none',
  userSelect: 'none',
  bgcolor: '#08090b',
  '&:active': { cursor: 'grabbing' },
} as const;

function Label({ children, right }: { children: ReactNode; right?: boolean }) {
  return (
    <Chip
      size="small"
      label={children}
      sx={{ position: 'absolute', top: 12, [right ? 'right' : 'left']: 12, zIndex: 3, bgcolor: 'rgba(0,0,0,0.6)', color: '#fff', backdropFilter: 'blur(4px)' }}
    />
  );
}

export function CompareViewer(p: CompareViewerProps) {
  const layer = (which: 'before' | 'after') =>
    p.view && (
      <PhotoLayer
        testId={`${which}-layer`}
        photoUrl={p.photo.url}
        width={p.photo.width}
        height={p.photo.height}
        view={p.view}
        overlay={which === 'after' ? p.aged : null}
      />
    );
  const notice = !p.aged && (
    <Stack sx={{ position: 'absolute', inset: 0, zIndex: 2, alignItems: 'center', justifyContent: 'center', bgcolor: 'rgba(8,9,11,0.55)', p: 3 }}>
      {p.busy ? <CircularProgress size={28} /> : <Box sx={{ maxWidth: 420 }}>{p.afterNotice}</Box>}
    </Stack>
  );

  if (p.mode === 'side') {
    return (
      <Stack direction="row" spacing={1.5} sx={{ height: '100%' }} data-testid="compare-side">
        <Box ref={p.paneRef} sx={paneSx} {...p.bind} data-testid="before-pane">
          {layer('before')}
          <Label>Before</Label>
        </Box>
        <Box ref={p.paneRef} sx={paneSx} {...p.bind} data-testid="after-pane">
          {layer('after')}
          {notice}
          <Label right>{p.afterLabel}</Label>
        </Box>
      </Stack>
    );
  }
  return (
    <Box ref={p.paneRef} sx={paneSx} {...p.bind} data-testid="compare-wipe">
      <ReactCompareSlider
        onlyHandleDraggable
        style={{ width: '100%', height: '100%' }}
        itemOne={<Box sx={{ position: 'relative', width: 1, height: 1, overflow: 'hidden' }}>{layer('before')}</Box>}
        itemTwo={
          <Box sx={{ position: 'relative', width: 1, height: 1, overflow: 'hidden' }}>
            {layer('after')}
            {notice}
          </Box>
        }
      />
      <Label>Before</Label>
      <Label right>{p.afterLabel}</Label>
      {!p.view && (
        <Typography sx={{ position: 'absolute', inset: 0, display: 'grid', placeItems: 'center', color: 'grey.500' }}>Loading photo…</Typography>
      )}
    </Box>
  );
}
