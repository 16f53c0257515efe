/** Shows the notice queue one snackbar at a time. */
import { Alert, Button, Snackbar } from '@mui/material';
import { dismiss, useNotices } from '../hooks/notify-store';

export function NoticeHost() {
  const notices = useNotices();
  const current = notices[0];
  if (!current) return null;
  return (
    <Snackbar
      key={current.id}
      open
      autoHideDuration={current.autoHideMs}
      onClose={(_, reason) => reason !== 'clickaway' && dismiss(current.id)}
    >
      <Alert
        severity={current.severity}
        variant="filled"
        data-testid="snackbar"
        data-severity={current.severity}
        onClose={() => dismiss(current.id)}
        action={
          current.action ? (
            <Button
              color="inherit"
              size="small"
              data-testid="snackbar-action"
              onClick={() => {
                current.action?.run();
                dismiss(current.id);
              }}
            >
              {current.action.label}
            </Button>
          ) : undefined
        }
        sx={{ minWidth: 360, maxWidth: 640 }}
      >
        {current.message}
      </Alert>
    </Snackbar>
  );
}
