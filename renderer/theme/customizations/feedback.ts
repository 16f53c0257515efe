/** Alerts, snackbars, progress: readable errors and calm progress bars. */
import type { Components, Theme } from '@mui/material/styles';

export const feedback: Components<Theme> = {
  MuiAlert: { styleOverrides: { root: { borderRadius: 10, alignItems: 'center' } } },
  MuiSnackbar: { defaultProps: { anchorOrigin: { vertical: 'bottom', horizontal: 'center' } } },
  MuiLinearProgress: { styleOverrides: { root: { borderRadius: 4, height: 6 }, bar: { borderRadius: 4 } } },
};
