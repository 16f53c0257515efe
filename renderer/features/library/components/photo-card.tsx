/** One photo in the grid: thumbnail, name, estimated age and face count; click to select. */
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import FaceIcon from '@mui/icons-material/FaceOutlined';
import { Box, Card, CardActionArea, Chip, Stack, Tooltip, Typography } from '@mui/material';
import { MIN_EYE_DISTANCE_PX, type Photo } from '../../../../preload/contract';
import { formatAgeLabel, plural } from '../../../components/format-age';
import { PhotoThumb } from '../../../components/photo-thumb';

export interface PhotoCardProps {
  photo: Photo;
  selected: boolean;
  onSelect: (photo: Photo, additive: boolean) => void;
  onOpen: (photo: Photo) => void;
}

/** The library keeps faces big enough to edit; a small face in a small photo counts as none. */
const NO_USABLE_FACE = `No face big enough to age: the eyes must be at least ${MIN_EYE_DISTANCE_PX} px apart in the photo.`;

function facesLabel(n: number | null): string {
  if (n === null) return 'faces ?';
  return n === 0 ? 'no face' : plural(n, 'face');
}

export function PhotoCard({ photo, selected, onSelect, onOpen }: PhotoCardProps) {
  return (
    <Card
      data-testid="photo-card"
      data-photo-id={photo.id}
      data-selected={selected}
      sx={{
        position: 'relative',
        borderColor: selected ? 'primary.main' : 'divider',
        borderWidth: selected ? 2 : 1,
        transition: 'transform 120ms ease, border-color 120ms ease',
        '&:hover': { transform: 'translateY(-2px)' },
      }}
    >
      <CardActionArea
        onClick={(e) => onSelect(photo, e.ctrlKey || e.metaKey || e.shiftKey)}
        onDoubleClick={() => onOpen(photo)}
        aria-label={`${photo.name}${selected ? ', selected' : ''}`}
        aria-pressed={selected}
      >
        <Box sx={{ aspectRatio: '1 / 1', bgcolor: 'action.hover', overflow: 'hidden' }}>
          <PhotoThumb photoId={photo.id} alt={photo.name} focus={photo.faceFocus} />
        </Box>
        {selected && (
          <CheckCircleIcon color="primary" sx={{ position: 'absolute', top: 8, right: 8, bgcolor: 'background.paper', borderRadius: '50%' }} />
        )}
        <Stack spacing={0.75} sx={{ p: 1.25 }}>
          <Tooltip title={photo.name} placement="top-start">
            <Typography variant="body2" noWrap sx={{ fontWeight: 600 }}>
              {photo.name}
            </Typography>
          </Tooltip>
          <Stack direction="row" spacing={0.75} useFlexGap sx={{ flexWrap: 'wrap', '& .MuiChip-root': { height: 22, fontSize: 11.5 } }}>
            <Chip size="small" label={photo.estimatedAge === null ? 'age ?' : formatAgeLabel(photo.estimatedAge)} data-testid="photo-age" variant="outlined" />
            <Tooltip title={photo.faceCount === 0 ? NO_USABLE_FACE : ''}>
              <Chip
                size="small"
                icon={<FaceIcon />}
                label={facesLabel(photo.faceCount)}
                data-testid="photo-faces"
                variant="outlined"
                color={photo.faceCount === 0 ? 'warning' : 'default'}
              />
            </Tooltip>
            {photo.tags.slice(0, 2).map((t) => (
              <Chip key={t} size="small" label={t} color="primary" variant="outlined" data-testid="photo-tag" />
            ))}
          </Stack>
        </Stack>
      </CardActionArea>
    </Card>
  );
}
