/**
 * Renderer bootstrap: under Electron the preload has put the API on `window.studio`; under the
 * browser host it is absent, so we build the same API over the WebSocket. Either way the rest of
 * the renderer sees one `StudioApi` and cannot tell which host it runs under.
 */
import { createStudioApi, type StudioApi } from '../../preload/api';
import { createWebSocketTransport, takeLaunchToken } from './ws-transport';

declare global {
  interface Window {
    studio?: StudioApi;
  }
}

export class StudioUnavailableError extends Error {}

export function connectStudio(): StudioApi {
  if (window.studio) return window.studio;
  const token = takeLaunchToken();
  if (!token) {
    throw new StudioUnavailableError(
      'This page needs the link the studio printed when it started (it ends in #token=...). Open that link again.',
    );
  }
  const api = createStudioApi(createWebSocketTransport(token));
  window.studio = api;
  return api;
}
