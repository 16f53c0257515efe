/** A photo thumbnail that loads through main and shows a calm placeholder meanwhile. */
import BrokenImageIcon from '@mui/icons-material/BrokenImageOutlined';
import { Box, Skeleton } from '@mui/material';
import { usePhotoImage } from '../hooks/use-photo-image';

export interface PhotoThumbProps {
  photoId: string;
  alt: string;
  maxEdge?: number;
  fit?: 'cover' | 'contain';
}

export function PhotoThumb({ photoId, alt, maxEdge = 256, fit = 'cover' }: PhotoThumbProps) {
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
      sx={{ width: 1, height: 1, objectFit: fit, display: 'block' }}
    />
  );
}
