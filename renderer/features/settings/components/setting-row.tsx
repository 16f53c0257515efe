/** One labelled setting: title and explanation on the left, the control on the right. */
import { Box, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';

export function SettingRow({ title, help, children }: { title: string; help: ReactNode; children: ReactNode }) {
  return (
    <Stack direction="row" spacing={4} sx={{ alignItems: 'center', py: 2 }}>
      <Box sx={{ flex: 1 }}>
        <Typography variant="subtitle2">{title}</Typography>
        <Typography variant="body2" color="text.secondary">
          {help}
        </Typography>
      </Box>
      <Box sx={{ flexShrink: 0 }}>{children}</Box>
    </Stack>
  );
}
