/** Adds a tag to the selected photos (training can then pick photos by tag). */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { useState } from 'react';

export function TagDialog({ open, count, onClose, onTag }: { open: boolean; count: number; onClose: () => void; onTag: (tag: string) => void }) {
  const [tag, setTag] = useState('');
  const submit = () => {
    if (tag.trim()) onTag(tag.trim());
    setTag('');
    onClose();
  };
  return (
    <Dialog open={open} onClose={onClose} maxWidth="xs" fullWidth>
      <DialogTitle>Tag {count} photo{count === 1 ? '' : 's'}</DialogTitle>
      <DialogContent>
        <TextField
          autoFocus
          fullWidth
          label="Tag, e.g. the person's name"
          value={tag}
          onChange={(e) => setTag(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && submit()}
          sx={{ mt: 1 }}
          slotProps={{ htmlInput: { maxLength: 60, 'data-testid': 'tag-input' } }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={submit} disabled={!tag.trim()} data-testid="tag-apply">
          Add tag
        </Button>
      </DialogActions>
    </Dialog>
  );
}
