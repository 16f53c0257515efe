import { describe, expect, it } from 'vitest';
import { COMMANDS, dispatchKey, isOwnedByTarget, type KeyLike } from '../../../../renderer/components/shortcuts/commands';
import { INITIAL_SESSION, clampAge, createSessionStore, type SessionState } from '../../../../renderer/hooks/session-store';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
const at = (s: Partial<SessionState> = {}): SessionState => ({ ...INITIAL_SESSION, ...s });

describe('shortcut commands', () => {
  it('arrows step the target age by 1 and Shift+arrows by 10 on the age screens, clamped to 0..90', () => {
    expect(dispatchKey(key('ArrowRight'), at({ targetAge: 40 }), { section: 'age' })?.outcome.patch?.targetAge).toBe(41);
    expect(dispatchKey(key('ArrowLeft'), at({ targetAge: 40 }), { section: 'compare' })?.outcome.patch?.targetAge).toBe(39);
    expect(dispatchKey(key('ArrowUp', { shiftKey: true }), at({ targetAge: 40 }), { section: 'age' })?.outcome.patch?.targetAge).toBe(50);
    expect(dispatchKey(key('ArrowRight', { shiftKey: true }), at({ targetAge: 85 }), { section: 'age' })?.outcome.patch?.targetAge).toBe(90);
    expect(dispatchKey(key('ArrowLeft', { shiftKey: true }), at({ targetAge: 4 }), { section: 'age' })?.outcome.patch?.targetAge).toBe(0);
    // a fractional age from a drag steps from its rounded value
    expect(dispatchKey(key('ArrowRight'), at({ targetAge: 40.5 }), { section: 'age' })?.outcome.patch?.targetAge).toBe(42);
  });

  it('leaves arrows and Space alone outside the age screens', () => {
    expect(dispatchKey(key('ArrowRight'), at(), { section: 'library' })).toBeNull();
    expect(dispatchKey(key(' '), at(), { section: 'settings' })).toBeNull();
  });

  it('Space held shows the original (key repeats keep it; the keyup in ScreenFrame ends it)', () => {
    const hit = dispatchKey(key(' '), at({ showBefore: false }), { section: 'age' });
    expect(hit?.command.name).toBe('hold-before');
    expect(hit?.outcome.patch).toEqual({ showBefore: true });
    expect(dispatchKey(key(' '), at({ showBefore: true }), { section: 'age' })?.outcome.patch).toEqual({ showBefore: true });
  });

  it('Ctrl+O asks the library to import and Ctrl+E opens export, from any screen', () => {
    const o = dispatchKey(key('o', { ctrlKey: true }), at(), { section: 'training' });
    expect(o?.outcome).toEqual({ patch: { pending: 'import' }, effect: { kind: 'navigate', section: 'library' } });
    const e = dispatchKey(key('E', { metaKey: true }), at(), { section: 'age' });
    expect(e?.outcome.effect).toEqual({ kind: 'navigate', section: 'export' });
    expect(dispatchKey(key('o'), at(), { section: 'library' })).toBeNull();
  });

  it('Delete deletes the library selection (with undo handled by the screen) and clears it', () => {
    const hit = dispatchKey(key('Delete'), at({ selectedPhotoIds: ['a', 'b'] }), { section: 'library' });
    expect(hit?.outcome).toEqual({ effect: { kind: 'delete-selected', photoIds: ['a', 'b'] }, patch: { selectedPhotoIds: [] } });
    expect(dispatchKey(key('Delete'), at(), { section: 'library' })).toBeNull();
    expect(dispatchKey(key('Delete'), at({ selectedPhotoIds: ['a'] }), { section: 'age' })).toBeNull();
  });

  it('? shows the shortcut sheet; every command has a label and a key', () => {
    expect(dispatchKey(key('?', { shiftKey: true }), at(), { section: 'export' })?.outcome.effect).toEqual({ kind: 'show-shortcuts' });
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of COMMANDS) expect(c.label.length > 0 && c.keys.length > 0).toBe(true);
  });

  it('keys typed into fields or handled by a focused slider stay theirs', () => {
    const el = (tagName: string, attrs: Record<string, string> = {}) => ({ tagName, getAttribute: (n: string) => attrs[n] ?? null });
    expect(isOwnedByTarget(key('ArrowRight'), el('INPUT', { type: 'text' }))).toBe(true);
    expect(isOwnedByTarget(key('Delete'), el('INPUT'))).toBe(true);
    expect(isOwnedByTarget(key('ArrowRight'), el('INPUT', { type: 'range' }))).toBe(true);
    expect(isOwnedByTarget(key(' '), el('INPUT', { type: 'range' }))).toBe(false);
    expect(isOwnedByTarget(key(' '), el('BUTTON'))).toBe(true);
    expect(isOwnedByTarget(key('ArrowRight'), el('BUTTON'))).toBe(false);
    expect(isOwnedByTarget(key('o', { ctrlKey: true }), el('INPUT'))).toBe(false);
    expect(isOwnedByTarget(key(' '), el('DIV'))).toBe(false);
    expect(isOwnedByTarget(key(' '), null)).toBe(false);
  });
});

describe('session store', () => {
  it('notifies subscribers on change only', () => {
    const store = createSessionStore();
    let calls = 0;
    const off = store.subscribe(() => calls++);
    store.set((s) => ({ ...s, targetAge: 30 }));
    store.set((s) => s);
    expect(calls).toBe(1);
    expect(store.get().targetAge).toBe(30);
    off();
    store.set((s) => ({ ...s, targetAge: 31 }));
    expect(calls).toBe(1);
  });

  it('clamps ages to 0..90 with one decimal', () => {
    expect(clampAge(-3)).toBe(0);
    expect(clampAge(120)).toBe(90);
    expect(clampAge(42.46)).toBe(42.5);
    expect(clampAge(Number.NaN)).toBe(0);
  });
});
