/** Chips, lists, tooltips, tables. */
import type { Components, Theme } from '@mui/material/styles';

export const dataDisplay: Components<Theme> = {
  MuiChip: { styleOverrides: { root: { fontWeight: 600 } } },
  MuiListItemButton: { styleOverrides: { root: { borderRadius: 8, marginInline: 6 } } },
  MuiTooltip: { defaultProps: { arrow: true }, styleOverrides: { tooltip: { fontSize: 12 } } },
  MuiTableCell: { styleOverrides: { root: ({ theme }) => ({ borderColor: theme.palette.divider, fontVariantNumeric: 'tabular-nums' }) } },
};
