/** A vertical filmstrip of the current project's photos for picking the one to work on. */
import PhotoLibraryIcon from '@mui/icons-material/PhotoLibraryOutlined';
import { Box, ButtonBase, Paper, Stack, Tooltip, Typography } from '@mui/material';
import type { Photo } from '../../preload/contract';
import { formatAgeLabel } from './format-age';
import { PhotoThumb } from './photo-thumb';
import { memo } from 'react';

export interface PhotoPickerProps {
  photos: Photo[];
  activeId: string | null;
  onPick: (photo: Photo) => void;
  /** Multi-select mode (export): ids currently checked. */
  checked?: ReadonlySet<string>;
  title?: string;
}

export const PhotoPicker = memo(function PhotoPicker({ photos, activeId, onPick, checked, title = 'Photos' }: PhotoPickerProps) {
  return (
    <Paper variant="outlined" sx={{ width: 196, flexShrink: 0, display: 'flex', flexDirection: 'column', maxHeight: 'calc(100vh - 170px)' }}>
      <Typography variant="overline" color="text.secondary" sx={{ px: 2, pt: 1 }}>
        {title}
      </Typography>
      {photos.length === 0 ? (
        <Stack spacing={1} sx={{ p: 2, color: 'text.secondary', alignItems: 'center', textAlign: 'center' }}>
          <PhotoLibraryIcon />
          <Typography variant="body2">Import photos in the Library first.</Typography>
        </Stack>
      ) : (
        <Box
          data-testid="photo-picker"
          sx={{ overflow: 'auto', p: 1.25, display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 1, alignContent: 'start' }}
        >
          {photos.map((p) => {
            const on = checked ? checked.has(p.id) : p.id === activeId;
            return (
              <Tooltip key={p.id} title={`${p.name} · ${formatAgeLabel(p.estimatedAge)}`} placement="right">
                <ButtonBase
                  onClick={() => onPick(p)}
                  data-testid="picker-photo"
                  data-photo-id={p.id}
                  aria-pressed={on}
                  aria-label={p.name}
                  sx={{
                    aspectRatio: '1 / 1',
                    borderRadius: 1.5,
                    overflow: 'hidden',
                    outline: 2,
                    outlineColor: on ? 'primary.main' : 'transparent',
                    outlineOffset: 1,
                    opacity: on ? 1 : 0.8,
                    '&:hover': { opacity: 1 },
                  }}
                >
                  <PhotoThumb photoId={p.id} alt={p.name} maxEdge={160} focus={p.faceFocus} />
                </ButtonBase>
              </Tooltip>
            );
          })}
        </Box>
      )}
    </Paper>
  );
});
