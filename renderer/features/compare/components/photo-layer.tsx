/**
 * The photo at full resolution in content pixels, moved by the shared view; the "after" layer
 * also pastes the aged region on top at its photo coordinates.
 */
import { Box } from '@mui/material';
import type { Rect } from '../../../../preload/contract';
import type { View } from '../api/zoom-math';

export interface PhotoLayerProps {
  photoUrl: string;
  width: number;
  height: number;
  view: View;
  overlay?: { url: string; region: Rect } | null;
  testId: string;
}

export function PhotoLayer({ photoUrl, width, height, view, overlay, testId }: PhotoLayerProps) {
  return (
    <Box
      data-testid={testId}
      data-scale={view.scale.toFixed(4)}
      sx={{
        position: 'absolute',
        left: 0,
        top: 0,
        width,
        height,
        transformOrigin: '0 0',
        transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})`,
        willChange: 'transform',
      }}
    >
      <img src={photoUrl} width={width} height={height} alt="" draggable={false} style={{ display: 'block', imageRendering: view.scale > 2 ? 'pixelated' : 'auto' }} />
      {overlay && (
        <img
          src={overlay.url}
          alt=""
          draggable={false}
          data-testid={`${testId}-overlay`}
          // The same interpolation as the photo under it: a detail comparison must not be between
          // a pixelated "before" and a smoothed "after".
          style={{ position: 'absolute', left: overlay.region.x, top: overlay.region.y, width: overlay.region.width, height: overlay.region.height, imageRendering: view.scale > 2 ? 'pixelated' : 'auto' }}
        />
      )}
    </Box>
  );
}
