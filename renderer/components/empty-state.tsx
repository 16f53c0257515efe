/** A friendly empty state: what this place is for and the one thing to do next. */
import { Box, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';

export interface EmptyStateProps {
  icon: ReactNode;
  title: string;
  body: ReactNode;
  action?: ReactNode;
  testId?: string;
}

export function EmptyState({ icon, title, body, action, testId }: EmptyStateProps) {
  return (
    <Stack
      data-testid={testId ?? 'empty-state'}
      spacing={1.5}
      sx={{ alignItems: 'center', justifyContent: 'center', py: 8, px: 4, textAlign: 'center', color: 'text.secondary', flex: 1 }}
    >
      <Box sx={{ fontSize: 56, lineHeight: 0, opacity: 0.6, '& svg': { fontSize: 56 } }}>{icon}</Box>
      <Typography variant="h6" color="text.primary">
        {title}
      </Typography>
      <Typography variant="body2" sx={{ maxWidth: 440 }}>
        {body}
      </Typography>
      {action && <Box sx={{ pt: 1 }}>{action}</Box>}
    </Stack>
  );
}
