/** Settings: engine backend and threads (with what was detected), library location, theme, shortcuts. */
import DarkModeIcon from '@mui/icons-material/DarkModeOutlined';
import KeyboardIcon from '@mui/icons-material/KeyboardOutlined';
import LightModeIcon from '@mui/icons-material/LightModeOutlined';
import SettingsBrightnessIcon from '@mui/icons-material/SettingsBrightnessOutlined';
import { Alert, Button, Divider, MenuItem, Paper, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useState } from 'react';
import type { Settings } from '../../../preload/contract';
import { ScreenFrame } from '../../components/screen-frame';
import { ShortcutsDialog } from '../../components/shortcuts/shortcuts-dialog';
import { notify, notifyError } from '../../hooks/notify-store';
import { publishSettings, useSharedSettings, type SettingsPatch } from '../../hooks/use-shared-settings';
import { useEngineStatus, useStudio } from '../../lib/use-studio';
import { EngineCard } from './components/engine-card';
import { SettingRow } from './components/setting-row';
import { threadsHelp } from './threads-help';
import { backendFallbackNotice } from './backend-notice';

const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
const BACKEND_HELP: Record<(typeof BACKENDS)[number], string> = {
  auto: 'Best available',
  'tensorflow-gpu': 'CUDA GPU',
  tensorflow: 'Native CPU',
  wasm: 'WebAssembly (SIMD)',
  cpu: 'Plain JavaScript',
};

export default function SettingsScreen() {
  const studio = useStudio();
  const status = useEngineStatus();
  const [settings, update] = useSharedSettings();
  const [help, setHelp] = useState(false);

  const save = async (patch: SettingsPatch) => {
    const r = await update(patch);
    if (!r.ok) return notifyError(r.error, 'Saving settings');
    if (r.engineRestarted) notify({ severity: 'info', message: 'The engine restarted with the new setting.' });
  };

  const moveLibrary = async () => {
    const r = await studio.settings.chooseLibraryLocation();
    if (!r.ok) {
      if (r.error.code !== 'cancelled') notifyError(r.error, 'Moving the library');
      return;
    }
    publishSettings(studio, r.value.settings);
    notify({ severity: 'success', message: `The library now lives in ${r.value.settings.libraryDir}` });
  };

  return (
    <ScreenFrame testId="settings-screen">
      <Stack spacing={3} sx={{ maxWidth: 860 }}>
        <EngineCard status={status} />
        <Paper variant="outlined" sx={{ px: 2.5, py: 0.5 }}>
          <SettingRow title="Compute backend" help="Which TensorFlow.js backend the engine uses. Changing it restarts the engine.">
            <TextField
              select
              value={settings?.backendOverride ?? 'auto'}
              onChange={(e) => void save({ backendOverride: e.target.value as Settings['backendOverride'] })}
              sx={{ width: 240 }}
              disabled={!settings}
              slotProps={{ htmlInput: { 'data-testid': 'backend-select' } }}
            >
              {BACKENDS.map((b) => (
                <MenuItem key={b} value={b}>
                  {b} · {BACKEND_HELP[b]}
                </MenuItem>
              ))}
            </TextField>
          </SettingRow>
          {backendFallbackNotice(settings?.backendOverride, status) && (
            <Alert severity="warning" sx={{ mb: 1.5 }} data-testid="backend-fallback">
              {backendFallbackNotice(settings?.backendOverride, status)}
            </Alert>
          )}
          <Divider />
          <SettingRow title="Threads" help={<span data-testid="threads-help">{threadsHelp(status)}</span>}>
            <TextField
              select
              value={settings?.threads ?? 0}
              onChange={(e) => void save({ threads: Number(e.target.value) || null })}
              sx={{ width: 240 }}
              disabled={!settings}
            >
              <MenuItem value={0}>auto (1 thread)</MenuItem>
              {[1, 2, 4, 8, 16].map((n) => (
                <MenuItem key={n} value={n}>
                  {n}
                </MenuItem>
              ))}
            </TextField>
          </SettingRow>
          <Divider />
          <SettingRow
            title="Library location"
            help={
              <>
                <span data-testid="library-dir">{settings?.libraryDir ?? '…'}</span>
                {status?.host === 'web' && (
                  <span data-testid="library-dir-web">
                    {' '}· In the browser host the library folder is chosen when the studio starts: <code>npm run web -- --library DIR</code>
                  </span>
                )}
              </>
            }
          >
            {/* Moving needs the native folder dialog, which only the desktop app has. */}
            {status?.host !== 'web' && (
              <Button variant="outlined" onClick={() => void moveLibrary()} data-testid="move-library">
                Move…
              </Button>
            )}
          </SettingRow>
          <Divider />
          <SettingRow title="Theme" help="Follow the system, or keep the studio light or dark.">
            <ToggleButtonGroup exclusive size="small" value={settings?.theme ?? 'system'} onChange={(_, v) => v && void save({ theme: v })}>
              <ToggleButton value="system" data-testid="theme-system"><SettingsBrightnessIcon fontSize="small" sx={{ mr: 1 }} />System</ToggleButton>
              <ToggleButton value="light" data-testid="theme-light"><LightModeIcon fontSize="small" sx={{ mr: 1 }} />Light</ToggleButton>
              <ToggleButton value="dark" data-testid="theme-dark"><DarkModeIcon fontSize="small" sx={{ mr: 1 }} />Dark</ToggleButton>
            </ToggleButtonGroup>
          </SettingRow>
          <Divider />
          <SettingRow title="Keyboard shortcuts" help="Press ? anywhere to see them.">
            <Button startIcon={<KeyboardIcon />} onClick={() => setHelp(true)} data-testid="show-shortcuts">
              Show shortcuts
            </Button>
          </SettingRow>
        </Paper>
        <Typography variant="caption" color="text.secondary">
          Everything runs on this computer; no photo leaves it.
        </Typography>
      </Stack>
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
    </ScreenFrame>
  );
}
