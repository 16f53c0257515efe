/**
 * A React root in a fresh host element per test (happy-dom), unmounted afterwards. Call at the
 * top of a component test file; read `dom.root` and `dom.host` inside tests.
 */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach } from 'vitest';

export function useDomRoot(): { root: Root; host: HTMLElement } {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  const dom = {} as { root: Root; host: HTMLElement };
  beforeEach(() => {
    dom.host = document.createElement('div');
    document.body.appendChild(dom.host);
    dom.root = createRoot(dom.host);
  });
  afterEach(() => {
    act(() => dom.root.unmount());
    dom.host.remove();
  });
  return dom;
}
