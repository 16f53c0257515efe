/** Projects list with photo counts, and a way to start a new one. */
import AddIcon from '@mui/icons-material/Add';
import FolderIcon from '@mui/icons-material/FolderOutlined';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  List,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  Paper,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import type { Project } from '../../../../preload/contract';

export interface ProjectSidebarProps {
  projects: Project[];
  activeId: string | null;
  onPick: (id: string) => void;
  onCreate: (name: string) => void;
}

export function ProjectSidebar({ projects, activeId, onPick, onCreate }: ProjectSidebarProps) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const submit = () => {
    if (name.trim()) onCreate(name.trim());
    setName('');
    setOpen(false);
  };
  return (
    <Paper variant="outlined" sx={{ width: 230, flexShrink: 0, p: 1.5, alignSelf: 'flex-start', position: 'sticky', top: 0 }} data-testid="project-sidebar">
      <Typography variant="overline" color="text.secondary" sx={{ px: 1 }}>
        Projects
      </Typography>
      <List dense disablePadding>
        {projects.map((p) => (
          <ListItemButton key={p.id} selected={p.id === activeId} onClick={() => onPick(p.id)} data-testid="project-item">
            <ListItemIcon sx={{ minWidth: 34 }}>
              <FolderIcon fontSize="small" />
            </ListItemIcon>
            <ListItemText primary={p.name} slotProps={{ primary: { noWrap: true } }} />
            <Typography variant="caption" color="text.secondary">
              {p.photoCount}
            </Typography>
          </ListItemButton>
        ))}
        {projects.length === 0 && (
          <Typography variant="body2" color="text.secondary" sx={{ px: 1, py: 1 }}>
            Photos you import land in your first project.
          </Typography>
        )}
      </List>
      <Box sx={{ pt: 1 }}>
        <Button startIcon={<AddIcon />} size="small" onClick={() => setOpen(true)} fullWidth data-testid="new-project">
          New project
        </Button>
      </Box>
      <Dialog open={open} onClose={() => setOpen(false)} maxWidth="xs" fullWidth>
        <DialogTitle>New project</DialogTitle>
        <DialogContent>
          <TextField
            autoFocus
            fullWidth
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && submit()}
            sx={{ mt: 1 }}
            slotProps={{ htmlInput: { 'data-testid': 'project-name' } }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button variant="contained" onClick={submit} disabled={!name.trim()} data-testid="create-project">
            Create
          </Button>
        </DialogActions>
      </Dialog>
    </Paper>
  );
}
