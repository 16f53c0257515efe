/**
 * The studio shell: theme (light/dark/system, built by renderer/theme), app bar with engine
 * status, left navigation, the current section's screen, and the app-wide notice host.
 */
import DarkModeIcon from '@mui/icons-material/DarkMode';
import LightModeIcon from '@mui/icons-material/LightMode';
import {
  AppBar,
  Box,
  CircularProgress,
  CssBaseline,
  Drawer,
  IconButton,
  List,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  ThemeProvider,
  Toolbar,
  Tooltip,
  Typography,
  useMediaQuery,
} from '@mui/material';
import { Suspense, useMemo } from 'react';
import { NoticeHost } from '../components/notice-host';
import { useSection } from '../lib/use-section';
import { createStudioTheme } from '../theme/create-studio-theme';
import { useSharedSettings } from '../hooks/use-shared-settings';
import { EngineChip } from './engine-chip';
import { SECTIONS } from './sections';


const NAV_WIDTH = 200;

export function AppShell() {
  // Shared with the Settings screen, so a theme chosen there re-themes the shell at once.
  const [settings, updateSettings] = useSharedSettings();
  const prefersDark = useMediaQuery('(prefers-color-scheme: dark)');
  const theme = settings?.theme ?? 'system';
  const mode = theme === 'system' ? (prefersDark ? 'dark' : 'light') : theme;
  const muiTheme = useMemo(() => createStudioTheme(mode), [mode]);
  const [sectionId, go] = useSection();
  const section = SECTIONS.find((s) => s.id === sectionId) ?? SECTIONS[0]!;
  const Screen = section.screen;

  return (
    <ThemeProvider theme={muiTheme}>
      <CssBaseline />
      <Box sx={{ display: 'flex', height: '100vh' }}>
        <AppBar position="fixed" color="default" sx={{ zIndex: (t) => t.zIndex.drawer + 1, borderBottom: 1, borderColor: 'divider' }}>
          <Toolbar variant="dense" sx={{ gap: 2 }}>
            <Typography variant="h6" component="h1" sx={{ flexGrow: 1 }}>
              Face Aging Studio
            </Typography>
            <EngineChip />
            <Tooltip title={mode === 'dark' ? 'Light theme' : 'Dark theme'}>
              <IconButton
                aria-label="toggle theme"
                data-testid="theme-toggle"
                onClick={() => void updateSettings({ theme: mode === 'dark' ? 'light' : 'dark' })}
              >
                {mode === 'dark' ? <LightModeIcon /> : <DarkModeIcon />}
              </IconButton>
            </Tooltip>
          </Toolbar>
        </AppBar>
        <Drawer
          variant="permanent"
          sx={{ width: NAV_WIDTH, flexShrink: 0, '& .MuiDrawer-paper': { width: NAV_WIDTH, boxSizing: 'border-box' } }}
        >
          <Toolbar variant="dense" />
          <nav aria-label="Sections">
            <List>
              {SECTIONS.map((s) => (
                <ListItemButton key={s.id} selected={s.id === section.id} onClick={() => go(s.id)} data-testid={`nav-${s.id}`}>
                  <ListItemIcon>{s.icon}</ListItemIcon>
                  <ListItemText primary={s.label} />
                </ListItemButton>
              ))}
            </List>
          </nav>
        </Drawer>
        <Box component="main" sx={{ flexGrow: 1, overflow: 'auto', p: 3 }} data-testid={`section-${section.id}`}>
          <Toolbar variant="dense" />
          <Typography variant="h5" component="h2" sx={{ mb: 2 }}>
            {section.label}
          </Typography>
          {Screen ? (
            <Suspense fallback={<CircularProgress aria-label="loading" />}>
              <Screen />
            </Suspense>
          ) : (
            <Typography color="text.secondary">The {section.label} screen is not part of this build yet.</Typography>
          )}
        </Box>
      </Box>
      <NoticeHost />
    </ThemeProvider>
  );
}
