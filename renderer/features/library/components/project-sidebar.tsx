/** Projects list with photo counts, and a way to start a new one. */
import AddIcon from '@mui/icons-material/Add';
import FolderIcon from '@mui/icons-material/FolderOutlined';
import {
  Box,
  Button,
  List,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  Paper,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import type { Project } from '../../../../preload/contract';
import { TextPromptDialog } from './text-prompt-dialog';

export interface ProjectSidebarProps {
  projects: Project[];
  activeId: string | null;
  onPick: (id: string) => void;
  onCreate: (name: string) => void;
}

export function ProjectSidebar({ projects, activeId, onPick, onCreate }: ProjectSidebarProps) {
  const [open, setOpen] = useState(false);
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
      <TextPromptDialog
        open={open}
        title="New project"
        label="Name"
        submitLabel="Create"
        maxLength={120}
        testIds={{ input: 'project-name', submit: 'create-project' }}
        onClose={() => setOpen(false)}
        onSubmit={onCreate}
      />
    </Paper>
  );
}
