/** Colour tokens per mode: a neutral photo-app canvas so images, not chrome, carry the colour. */
import type { PaletteOptions } from '@mui/material/styles';

export type Mode = 'light' | 'dark';

export function paletteFor(mode: Mode): PaletteOptions {
  if (mode === 'dark') {
    return {
      mode,
      primary: { main: '#7aa7ff', contrastText: '#0b1020' },
      secondary: { main: '#f2b47e' },
      error: { main: '#ff6b6b' },
      warning: { main: '#f5c04a' },
      success: { main: '#5fd39a' },
      background: { default: '#0f1114', paper: '#171a1f' },
      divider: 'rgba(255,255,255,0.08)',
      text: { primary: '#e8eaed', secondary: '#9aa3ad' },
    };
  }
  return {
    mode,
    primary: { main: '#2f5fb3' },
    secondary: { main: '#b5541c' },
    background: { default: '#f4f5f7', paper: '#ffffff' },
    divider: 'rgba(0,0,0,0.08)',
    text: { primary: '#1b1f24', secondary: '#5b6570' },
  };
}
