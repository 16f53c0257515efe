/**
 * The Age stage's "Whole photo" view: the photo fitted whole inside the stage, with the aged face
 * (main's paste-back of the face region at the released age) laid over it in place.
 */
import { Box, CircularProgress } from '@mui/material';
import type { Rect } from '../../../../preload/contract';
import { usePhotoImage } from '../../../hooks/use-photo-image';
import { useAgedPhoto } from '../../../hooks/use-aged-photo';

export interface WholePhotoViewProps {
  photoId: string;
  faceIndex: number;
  modelId: string | null;
  age: number;
  /** The photo's full size (the paste-back region is in its pixels). */
  width: number;
  height: number;
  showBefore: boolean;
}

const pct = (v: number, of: number) => `${(100 * v) / of}%`;

export function WholePhotoView({ photoId, faceIndex, modelId, age, width, height, showBefore }: WholePhotoViewProps) {
  const photo = usePhotoImage(photoId, 2048);
  const { aged, busy } = useAgedPhoto(photoId, faceIndex, modelId, age);
  const region: Rect | null = aged?.region ?? null;
  return (
    <Box sx={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
      {/* A box of the photo's own proportions, as large as the stage allows (contain). */}
      <Box
        data-testid="whole-photo"
        sx={{ position: 'relative', aspectRatio: `${width} / ${height}`, maxWidth: '100%', maxHeight: '100%', width: width >= height ? '100%' : 'auto', height: width >= height ? 'auto' : '100%' }}
      >
        {photo.image && <Box component="img" src={photo.image.url} alt="Whole photo" sx={{ width: 1, height: 1, display: 'block' }} />}
        {aged && region && !showBefore && (
          <Box
            component="img"
            src={aged.url}
            alt={`Aged to ${age}`}
            data-testid="whole-photo-aged"
            data-age={age}
            sx={{ position: 'absolute', left: pct(region.x, width), top: pct(region.y, height), width: pct(region.width, width), height: pct(region.height, height) }}
          />
        )}
        {busy && <CircularProgress size={24} sx={{ position: 'absolute', right: 12, top: 12 }} aria-label="aging the photo" />}
      </Box>
    </Box>
  );
}
