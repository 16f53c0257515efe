/** Full-area hint shown while files are dragged over the library. */
import CloudUploadIcon from '@mui/icons-material/CloudUploadOutlined';
import { Box, Typography } from '@mui/material';

export function DropOverlay({ visible }: { visible: boolean }) {
  if (!visible) return null;
  return (
    <Box
      data-testid="drop-overlay"
      sx={{
        position: 'absolute',
        inset: 0,
        zIndex: 10,
        display: 'grid',
        placeItems: 'center',
        borderRadius: 3,
        border: 2,
        borderStyle: 'dashed',
        borderColor: 'primary.main',
        bgcolor: (t) => (t.palette.mode === 'dark' ? 'rgba(15,17,20,0.85)' : 'rgba(255,255,255,0.85)'),
        pointerEvents: 'none',
      }}
    >
      <Box sx={{ textAlign: 'center', color: 'primary.main' }}>
        <CloudUploadIcon sx={{ fontSize: 64 }} />
        <Typography variant="h6">Drop photos or folders to import</Typography>
      </Box>
    </Box>
  );
}
