/** Buttons, sliders, text fields and toggles. */
import type { Components, Theme } from '@mui/material/styles';

export const inputs: Components<Theme> = {
  MuiButton: {
    defaultProps: { disableElevation: true },
    styleOverrides: { root: { borderRadius: 8, paddingInline: 16 } },
  },
  MuiIconButton: { styleOverrides: { root: { borderRadius: 8 } } },
  MuiToggleButton: { styleOverrides: { root: { textTransform: 'none', paddingInline: 12 } } },
  MuiSlider: {
    styleOverrides: {
      thumb: { width: 18, height: 18 },
      rail: { opacity: 0.25 },
      valueLabel: { borderRadius: 6, fontVariantNumeric: 'tabular-nums' },
    },
  },
  MuiTextField: { defaultProps: { size: 'small' } },
  MuiSelect: { defaultProps: { size: 'small' } },
  MuiFormControl: { defaultProps: { size: 'small' } },
};
