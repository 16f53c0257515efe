/** A photo thumbnail that loads through main and shows a calm placeholder meanwhile. */
import BrokenImageIcon from '@mui/icons-material/BrokenImageOutlined';
import { Box, Skeleton } from '@mui/material';
import { usePhotoImage } from '../hooks/use-photo-image';

export interface PhotoThumbProps {
  photoId: string;
  alt: string;
  maxEdge?: number;
  fit?: 'cover' | 'contain';
  /** Where to crop a 'cover' thumbnail around (the face's centre, 0..1); centre when absent. */
  focus?: { x: number; y: number } | null;
}

export function PhotoThumb({ photoId, alt, maxEdge = 256, fit = 'cover', focus }: PhotoThumbProps) {
  const { image, error } = usePhotoImage(photoId, maxEdge);
  if (error) {
    return (
      <Box sx={{ width: 1, height: 1, display: 'grid', placeItems: 'center', color: 'text.disabled' }} title={error.message}>
        <BrokenImageIcon />
      </Box>
    );
  }
  if (!image) return <Skeleton variant="rectangular" sx={{ width: 1, height: 1 }} animation="wave" />;
  return (
    <Box
      component="img"
      src={image.url}
      alt={alt}
      draggable={false}
      data-focus={focus ? `${focus.x.toFixed(3)},${focus.y.toFixed(3)}` : undefined}
      sx={{ width: 1, height: 1, objectFit: fit, objectPosition: focus ? `${(focus.x * 100).toFixed(1)}% ${(focus.y * 100).toFixed(1)}%` : '50% 50%', display: 'block' }}
    />
  );
}
