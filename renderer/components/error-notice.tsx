/** An inline, readable error for a panel (the snackbar is for transient ones). */
import { Alert, AlertTitle, Button } from '@mui/material';
import type { StudioError } from '../../preload/contract';
import { describeError } from './describe-error';

export function ErrorNotice({ error, action, onRetry }: { error: StudioError; action?: string; onRetry?: () => void }) {
  const { title, detail } = describeError(error, action);
  const severity = error.code === 'not-available-yet' || error.code === 'unsupported' ? 'info' : 'error';
  return (
    <Alert
      severity={severity}
      variant="outlined"
      data-testid="error-notice"
      data-code={error.code}
      action={onRetry ? <Button color="inherit" size="small" onClick={onRetry}>Retry</Button> : undefined}
    >
      <AlertTitle>{title}</AlertTitle>
      {detail}
    </Alert>
  );
}
