// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStudioApi, type StudioTransport } from '../../../../preload/api';
import type { Photo } from '../../../../preload/contract';
import { FacePicker } from '../../../../renderer/components/face-picker';
import { ScreenFrame } from '../../../../renderer/components/screen-frame';
import { INITIAL_SESSION, sessionStore } from '../../../../renderer/hooks/session-store';
import { PhotoCard } from '../../../../renderer/features/library/components/photo-card';
import { StudioProvider } from '../../../../renderer/lib/use-studio';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root;
let host: HTMLElement;
beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
  sessionStore.set(INITIAL_SESSION);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

const press = (key: string, init: KeyboardEventInit = {}) =>
  act(() => {
    window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }));
  });

describe('ScreenFrame keyboard commands', () => {
  it('steps the age with arrows, shows the original while Space is held, navigates on Ctrl+E', async () => {
    window.location.hash = '#/age';
    await act(async () => root.render(<ScreenFrame><p>screen</p></ScreenFrame>));
    sessionStore.set((s) => ({ ...s, targetAge: 40 }));
    press('ArrowRight');
    expect(sessionStore.get().targetAge).toBe(41);
    press('ArrowLeft', { shiftKey: true });
    expect(sessionStore.get().targetAge).toBe(31);
    press(' ');
    expect(sessionStore.get().showBefore).toBe(true);
    // Hold to compare: letting go of Space shows the aged face again.
    window.dispatchEvent(new KeyboardEvent('keyup', { key: ' ', bubbles: true }));
    expect(sessionStore.get().showBefore).toBe(false);
    press('e', { ctrlKey: true });
    expect(sessionStore.get().pending).toBe('export');
    expect(window.location.hash).toBe('#/export');
  });

  it('opens the shortcut sheet on ?', async () => {
    window.location.hash = '#/library';
    await act(async () => root.render(<ScreenFrame><p>screen</p></ScreenFrame>));
    press('?', { shiftKey: true });
    expect(document.body.textContent).toContain('Keyboard shortcuts');
    expect(document.body.textContent).toContain('Target age +10');
  });
});

describe('PhotoCard', () => {
  const photo: Photo = {
    id: '7', projectId: '1', name: 'grandma.jpg', mime: 'image/jpeg', width: 800, height: 600, sizeBytes: 1000,
    contentHash: 'h', importedAt: '2026-01-01T00:00:00.000Z', faceCount: 2, estimatedAge: 71.6, tags: [],
  };

  it('shows the thumbnail from main, estimated age and face count, and reports clicks', async () => {
    const asked: unknown[] = [];
    const transport: StudioTransport = {
      invoke: async (channel, request) => {
        asked.push([channel, request]);
        return { ok: true, value: { image: { mime: 'image/jpeg', width: 4, height: 3, bytes: new Uint8Array([1, 2, 3]) } } };
      },
      subscribe: () => () => undefined,
    };
    const picks: [string, boolean][] = [];
    await act(async () =>
      root.render(
        <StudioProvider api={createStudioApi(transport)}>
          <PhotoCard photo={photo} selected={false} onSelect={(p, add) => picks.push([p.id, add])} onOpen={() => undefined} />
        </StudioProvider>,
      ),
    );
    await act(async () => new Promise((r) => setTimeout(r, 10)));
    expect(asked).toEqual([['photos:image', { photoId: '7', maxEdge: 256 }]]);
    expect(host.querySelector('img')?.getAttribute('src')).toMatch(/^blob:/);
    expect(host.querySelector('[data-testid="photo-age"]')?.textContent).toBe('~72 yrs');
    expect(host.querySelector('[data-testid="photo-faces"]')?.textContent).toBe('2 faces');
    act(() => (host.querySelector('button') as HTMLButtonElement).click());
    expect(picks).toEqual([['7', false]]);
  });
});

describe('FacePicker', () => {
  const face = (index: number, estimatedAge: number) => ({ index, box: { x: 0, y: 0, width: 10, height: 10 }, score: 0.9, landmarks: [], estimatedAge });

  it('offers a choice only when there are several faces, and reports the pick', async () => {
    const picked: number[] = [];
    await act(async () => root.render(<FacePicker faces={[face(0, 30)]} value={0} onChange={(i) => picked.push(i)} />));
    expect(host.textContent).toBe('');
    await act(async () => root.render(<FacePicker faces={[face(0, 30), face(1, 62.4)]} value={0} onChange={(i) => picked.push(i)} />));
    expect(host.textContent).toContain('Face 2 · ~62 yrs');
    const chips = host.querySelectorAll('[data-testid="face-picker"] .MuiChip-root');
    expect(chips).toHaveLength(2);
    act(() => (chips[1] as HTMLElement).click());
    expect(picked).toEqual([1]);
  });
});
