/** Search, sort, selection actions and the import menu. */
import AddPhotoIcon from '@mui/icons-material/AddPhotoAlternateOutlined';
import DeleteIcon from '@mui/icons-material/DeleteOutlined';
import FolderOpenIcon from '@mui/icons-material/FolderOpenOutlined';
import LabelIcon from '@mui/icons-material/LabelOutlined';
import SearchIcon from '@mui/icons-material/Search';
import { Button, InputAdornment, MenuItem, Stack, TextField, Typography } from '@mui/material';

export type SortKey = 'imported-desc' | 'imported-asc' | 'name' | 'age';

export interface LibraryToolbarProps {
  search: string;
  onSearch: (s: string) => void;
  sort: SortKey;
  onSort: (s: SortKey) => void;
  total: number | null;
  selectedCount: number;
  onDelete: () => void;
  onTag: () => void;
  onImportFiles: () => void;
  onImportFolder: () => void;
  busy: boolean;
}

export function LibraryToolbar(p: LibraryToolbarProps) {
  return (
    <Stack direction="row" spacing={1.5} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
      <TextField
        placeholder="Search by file name"
        value={p.search}
        onChange={(e) => p.onSearch(e.target.value)}
        sx={{ width: 220 }}
        slotProps={{
          input: { startAdornment: <InputAdornment position="start"><SearchIcon fontSize="small" /></InputAdornment> },
          htmlInput: { 'data-testid': 'photo-search', 'aria-label': 'Search photos' },
        }}
      />
      <TextField select value={p.sort} onChange={(e) => p.onSort(e.target.value as SortKey)} label="Sort" sx={{ width: 150 }}>
        <MenuItem value="imported-desc">Newest first</MenuItem>
        <MenuItem value="imported-asc">Oldest first</MenuItem>
        <MenuItem value="name">Name</MenuItem>
        <MenuItem value="age">Estimated age</MenuItem>
      </TextField>
      <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }} data-testid="photo-total">
        {p.total === null ? '' : `${p.total} photo${p.total === 1 ? '' : 's'}`}
        {p.selectedCount > 0 && ` · ${p.selectedCount} selected`}
      </Typography>
      {p.selectedCount > 0 && (
        <Button startIcon={<LabelIcon />} onClick={p.onTag} data-testid="tag-selected">
          Tag
        </Button>
      )}
      {p.selectedCount > 0 && (
        <Button color="error" startIcon={<DeleteIcon />} onClick={p.onDelete} data-testid="delete-selected">
          Delete
        </Button>
      )}
      <Button startIcon={<FolderOpenIcon />} onClick={p.onImportFolder} disabled={p.busy} data-testid="import-folder">
        Add folder
      </Button>
      <Button variant="contained" startIcon={<AddPhotoIcon />} onClick={p.onImportFiles} disabled={p.busy} data-testid="import-files">
        Import
      </Button>
    </Stack>
  );
}
