/** Paper, cards, app bar, dialogs: flat surfaces separated by hairlines, not shadows. */
import type { Components, Theme } from '@mui/material/styles';

export const surfaces: Components<Theme> = {
  MuiPaper: {
    defaultProps: { elevation: 0 },
    styleOverrides: { root: { backgroundImage: 'none' }, outlined: ({ theme }) => ({ borderColor: theme.palette.divider }) },
  },
  MuiCard: {
    defaultProps: { variant: 'outlined' },
    styleOverrides: { root: { borderRadius: 12 } },
  },
  MuiAppBar: { defaultProps: { elevation: 0 } },
  MuiDialog: { styleOverrides: { paper: { borderRadius: 14 } } },
};
