/** The empty state of the screens that work on photos: say what the screen does and send the user to import. */
import { Button } from '@mui/material';
import type { ReactNode } from 'react';
import { useSection } from '../lib/use-section';
import { EmptyState } from './empty-state';
import { ScreenFrame } from './screen-frame';

export function NoPhotosState({ screen, icon, title, body }: { screen: string; icon: ReactNode; title: string; body: string }) {
  const [, go] = useSection();
  return (
    <ScreenFrame testId={`${screen}-screen`}>
      <EmptyState
        testId={`${screen}-empty`}
        icon={icon}
        title={title}
        body={body}
        action={
          <Button variant="contained" onClick={() => go('library')}>
            Go to Library
          </Button>
        }
      />
    </ScreenFrame>
  );
}
