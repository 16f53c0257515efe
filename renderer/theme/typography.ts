/** Type scale: compact desktop density, tabular numbers for ages, losses and progress. */
import type { TypographyVariantsOptions } from '@mui/material/styles';

export const typography: TypographyVariantsOptions = {
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  h4: { fontWeight: 650, letterSpacing: -0.5 },
  h5: { fontWeight: 650, letterSpacing: -0.3 },
  h6: { fontWeight: 600, fontSize: '1.05rem' },
  subtitle1: { fontWeight: 600 },
  subtitle2: { fontWeight: 600, color: 'inherit' },
  overline: { fontWeight: 700, letterSpacing: 1.2 },
  button: { textTransform: 'none', fontWeight: 600 },
  body2: { fontVariantNumeric: 'tabular-nums' },
};
