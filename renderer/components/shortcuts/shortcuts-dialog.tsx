/** The "?" sheet: every command and its key, straight from the command data. */
import { Box, Dialog, DialogContent, DialogTitle, Stack, Typography } from '@mui/material';
import { COMMANDS } from './commands';

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="xs" fullWidth data-testid="shortcuts-dialog">
      <DialogTitle>Keyboard shortcuts</DialogTitle>
      <DialogContent>
        <Stack spacing={1.25} sx={{ pb: 1 }}>
          {COMMANDS.map((c) => (
            <Stack key={c.name} direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
              <Typography variant="body2">{c.label}</Typography>
              <Box
                component="kbd"
                sx={{
                  px: 1,
                  py: 0.25,
                  borderRadius: 1,
                  border: 1,
                  borderColor: 'divider',
                  bgcolor: 'action.hover',
                  fontFamily: 'ui-monospace, monospace',
                  fontSize: 12,
                }}
              >
                {c.keys}
              </Box>
            </Stack>
          ))}
        </Stack>
      </DialogContent>
    </Dialog>
  );
}
