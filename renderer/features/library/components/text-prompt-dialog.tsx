/** A small dialog asking for one line of text (a project name, a tag). */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { useState } from 'react';

export interface TextPromptDialogProps {
  open: boolean;
  title: string;
  label: string;
  submitLabel: string;
  maxLength: number;
  onClose: () => void;
  onSubmit: (text: string) => void;
  testIds: { input: string; submit: string };
}

export function TextPromptDialog(p: TextPromptDialogProps) {
  const [text, setText] = useState('');
  const submit = () => {
    if (!p.open) return;
    if (text.trim()) p.onSubmit(text.trim());
    setText('');
    p.onClose();
  };
  return (
    <Dialog open={p.open} onClose={p.onClose} maxWidth="xs" fullWidth>
      <DialogTitle>{p.title}</DialogTitle>
      <DialogContent>
        <TextField
          autoFocus
          fullWidth
          label={p.label}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' || e.nativeEvent.isComposing) return;
            // Without this, the Enter's keypress lands on the button that focus returns to as the
            // dialog closes ("New project") and opens the dialog again.
            e.preventDefault();
            submit();
          }}
          sx={{ mt: 1 }}
          slotProps={{ htmlInput: { maxLength: p.maxLength, 'data-testid': p.testIds.input } }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={p.onClose}>Cancel</Button>
        <Button variant="contained" onClick={submit} disabled={!text.trim()} data-testid={p.testIds.submit}>
          {p.submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
