/** Responsive grid of photo cards. */
import { Box } from '@mui/material';
import type { Photo } from '../../../../preload/contract';
import { PhotoCard } from './photo-card';

export interface PhotoGridProps {
  photos: Photo[];
  selected: ReadonlySet<string>;
  onSelect: (photo: Photo, additive: boolean) => void;
  onOpen: (photo: Photo) => void;
}

export function PhotoGrid({ photos, selected, onSelect, onOpen }: PhotoGridProps) {
  return (
    <Box
      data-testid="photo-grid"
      sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))', gap: 2 }}
    >
      {photos.map((p) => (
        <PhotoCard key={p.id} photo={p} selected={selected.has(p.id)} onSelect={onSelect} onOpen={onOpen} />
      ))}
    </Box>
  );
}
