/**
 * Keyboard shortcuts as data (Excalidraw-style): each command names itself, says which key
 * triggers it (`keyTest`), and `perform` is a pure function from the session to a patch and an
 * effect the screen frame carries out (navigate, show the shortcut sheet, delete the selection).
 * `perform` returns null when the command does not apply where the user is, so the key keeps its
 * normal meaning (arrows in a list, Space on a button).
 */
import type { SectionId } from '../../lib/use-section';
import { clampAge, type SessionState } from '../../hooks/session-store';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export type CommandEffect =
  | { kind: 'navigate'; section: SectionId }
  | { kind: 'show-shortcuts' }
  | { kind: 'delete-selected'; photoIds: string[] };

export interface CommandOutcome {
  patch?: Partial<SessionState>;
  effect?: CommandEffect;
}

export interface CommandContext {
  section: SectionId;
}

export interface Command {
  name: string;
  label: string;
  /** How the key reads on the shortcut sheet. */
  keys: string;
  keyTest(e: KeyLike): boolean;
  perform(state: SessionState, ctx: CommandContext): CommandOutcome | null;
}

const mod = (e: KeyLike) => e.ctrlKey || e.metaKey;
const plain = (e: KeyLike) => !e.ctrlKey && !e.metaKey && !e.altKey;
const onAgeScreens = (ctx: CommandContext) => ctx.section === 'age' || ctx.section === 'compare';

function stepAge(delta: number) {
  return (state: SessionState, ctx: CommandContext): CommandOutcome | null => {
    if (!onAgeScreens(ctx)) return null;
    return { patch: { targetAge: clampAge(Math.round(state.targetAge) + delta), showBefore: false } };
  };
}

const isUp = (e: KeyLike) => e.key === 'ArrowRight' || e.key === 'ArrowUp';
const isDown = (e: KeyLike) => e.key === 'ArrowLeft' || e.key === 'ArrowDown';

export const COMMANDS: readonly Command[] = [
  {
    name: 'import',
    label: 'Import photos',
    keys: 'Ctrl+O',
    keyTest: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'o',
    perform: () => ({ patch: { pending: 'import' }, effect: { kind: 'navigate', section: 'library' } }),
  },
  {
    name: 'export',
    label: 'Export',
    keys: 'Ctrl+E',
    keyTest: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'e',
    perform: () => ({ patch: { pending: 'export' }, effect: { kind: 'navigate', section: 'export' } }),
  },
  {
    name: 'age-up',
    label: 'Target age +1',
    keys: '→ / ↑',
    keyTest: (e) => plain(e) && !e.shiftKey && isUp(e),
    perform: stepAge(1),
  },
  {
    name: 'age-down',
    label: 'Target age −1',
    keys: '← / ↓',
    keyTest: (e) => plain(e) && !e.shiftKey && isDown(e),
    perform: stepAge(-1),
  },
  {
    name: 'age-up-10',
    label: 'Target age +10',
    keys: 'Shift+→',
    keyTest: (e) => plain(e) && e.shiftKey && isUp(e),
    perform: stepAge(10),
  },
  {
    name: 'age-down-10',
    label: 'Target age −10',
    keys: 'Shift+←',
    keyTest: (e) => plain(e) && e.shiftKey && isDown(e),
    perform: stepAge(-10),
  },
  {
    // Hold to compare: the original while Space is down, the aged face again on release
    // (ScreenFrame's keyup ends it), as photo editors' before/after keys work.
    name: 'hold-before',
    label: 'Show the original while held',
    keys: 'Space (hold)',
    keyTest: (e) => plain(e) && e.key === ' ',
    perform: (_state, ctx) => (onAgeScreens(ctx) ? { patch: { showBefore: true } } : null),
  },
  {
    name: 'delete',
    label: 'Delete selected photos (with undo)',
    keys: 'Delete',
    keyTest: (e) => plain(e) && (e.key === 'Delete' || e.key === 'Backspace'),
    perform: (state, ctx) =>
      ctx.section === 'library' && state.selectedPhotoIds.length > 0
        ? { effect: { kind: 'delete-selected', photoIds: state.selectedPhotoIds }, patch: { selectedPhotoIds: [] } }
        : null,
  },
  {
    name: 'show-shortcuts',
    label: 'Show keyboard shortcuts',
    keys: '?',
    keyTest: (e) => !e.ctrlKey && !e.metaKey && e.key === '?',
    perform: () => ({ effect: { kind: 'show-shortcuts' } }),
  },
];

/** The first command whose key matches and that applies here, with its outcome. */
export function dispatchKey(
  e: KeyLike,
  state: SessionState,
  ctx: CommandContext,
  commands: readonly Command[] = COMMANDS,
): { command: Command; outcome: CommandOutcome } | null {
  for (const command of commands) {
    if (!command.keyTest(e)) continue;
    const outcome = command.perform(state, ctx);
    if (outcome) return { command, outcome };
  }
  return null;
}

/** Keys typed into a text field or handled by a focused slider/button are theirs, not ours. */
export function isOwnedByTarget(e: KeyLike, target: { tagName?: string; isContentEditable?: boolean; getAttribute?(n: string): string | null } | null): boolean {
  if (!target) return false;
  const tag = (target.tagName ?? '').toUpperCase();
  const role = target.getAttribute?.('role') ?? '';
  if (target.isContentEditable) return true;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target.getAttribute?.('type') ?? 'text').toLowerCase();
    // A focused range/slider input handles arrows itself (MUI Slider: ±1, Shift ±10).
    if (type === 'range') return e.key.startsWith('Arrow') || e.key === 'Home' || e.key === 'End';
    if (type === 'checkbox' || type === 'radio') return e.key === ' ';
    return !(e.ctrlKey || e.metaKey) || e.key.toLowerCase() === 'a';
  }
  if (role === 'slider') return e.key.startsWith('Arrow');
  if ((tag === 'BUTTON' || role === 'button' || role === 'tab' || role === 'option') && (e.key === ' ' || e.key === 'Enter')) return true;
  if (role === 'listbox' || role === 'menu' || role === 'menuitem') return e.key.startsWith('Arrow') || e.key === ' ';
  return false;
}
