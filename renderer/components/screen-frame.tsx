/**
 * What every screen shares: the global keyboard commands and the shortcut sheet (the shell hosts
 * the snackbar, renderer/components/notice-host). Each screen renders one ScreenFrame at its root; the shell mounts one screen at a time, so
 * exactly one frame listens. Screen-specific effects (e.g. delete) go to `onEffect`.
 */
import { Box } from '@mui/material';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useSection } from '../lib/use-section';
import { sessionStore } from '../hooks/session-store';
import { dispatchKey, isOwnedByTarget, type CommandEffect } from './shortcuts/commands';
import { ShortcutsDialog } from './shortcuts/shortcuts-dialog';

export interface ScreenFrameProps {
  children: ReactNode;
  /** Return true when the screen handled the effect. */
  onEffect?: (effect: CommandEffect) => boolean;
  testId?: string;
}

export function ScreenFrame({ children, onEffect, testId }: ScreenFrameProps) {
  const [section, go] = useSection();
  const [helpOpen, setHelpOpen] = useState(false);
  const effectRef = useRef(onEffect);
  effectRef.current = onEffect;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      if (isOwnedByTarget(e, e.target instanceof Element ? (e.target as HTMLElement) : null)) return;
      // A modal dialog other than ours owns the keyboard.
      if (document.querySelector('[role="dialog"]') && e.key !== 'Escape' && e.key !== '?') return;
      const hit = dispatchKey(e, sessionStore.get(), { section });
      if (!hit) return;
      e.preventDefault();
      const { patch, effect } = hit.outcome;
      if (patch) sessionStore.set((s) => ({ ...s, ...patch }));
      if (!effect) return;
      if (effectRef.current?.(effect)) return;
      if (effect.kind === 'navigate') go(effect.section);
      else if (effect.kind === 'show-shortcuts') setHelpOpen(true);
    };
    // Space held shows the original; letting go (or the window losing focus) shows the aged face.
    const endHold = (e?: KeyboardEvent) => {
      if (e && e.key !== ' ') return;
      if (sessionStore.get().showBefore && (section === 'age' || section === 'compare')) sessionStore.set((s) => ({ ...s, showBefore: false }));
    };
    const onKeyUp = (e: KeyboardEvent) => endHold(e);
    const onBlur = () => endHold();
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKeyUp);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKeyUp);
      window.removeEventListener('blur', onBlur);
    };
  }, [section, go]);

  return (
    <Box data-testid={testId} sx={{ display: 'flex', flexDirection: 'column', gap: 3, minHeight: 0 }}>
      {children}
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </Box>
  );
}
