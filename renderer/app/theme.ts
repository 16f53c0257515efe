/** The studio's MUI theme: one palette per mode, compact density for a desktop tool. */
import { createTheme, type Theme } from '@mui/material/styles';

export function studioTheme(mode: 'light' | 'dark'): Theme {
  return createTheme({
    palette: {
      mode,
      primary: { main: mode === 'dark' ? '#8ab4f8' : '#2f5fb3' },
      secondary: { main: mode === 'dark' ? '#f4b183' : '#b5541c' },
      background: mode === 'dark' ? { default: '#121417', paper: '#1a1d21' } : { default: '#f6f7f9', paper: '#ffffff' },
    },
    shape: { borderRadius: 8 },
    typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    components: {
      MuiButton: { defaultProps: { disableElevation: true } },
      MuiAppBar: { defaultProps: { elevation: 0 } },
    },
  });
}
