/**
 * StudioTransport over the browser host's WebSocket. The token comes from the URL fragment
 * (`#token=...`, removed from the address bar at once and kept in sessionStorage for reloads) and
 * is presented as a WebSocket subprotocol, so it never appears in a URL the server logs.
 */
import type { StudioTransport, Unsubscribe } from '../../preload/api';
import type { EventChannel, RequestChannel } from '../../preload/contract';
import { decodeFrame, encodeFrame, type WireMessage } from '../../preload/wire-codec';

const TOKEN_KEY = 'studio.token';
const SUBPROTOCOL = 'studio.v1';

/** Reads the launch token from the fragment (then strips it) or from this tab's session storage. */
export function takeLaunchToken(): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    const rest = window.location.hash.replace(/(?:^#|&)token=[A-Za-z0-9_-]+/, '').replace(/^&/, '');
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ''}`);
    return match[1];
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function createWebSocketTransport(token: string, url = `ws://${window.location.host}/ws`): StudioTransport {
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  function connect(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, [SUBPROTOCOL, `token.${token}`]);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onmessage = (e: MessageEvent<ArrayBuffer>) => {
        const msg = decodeFrame(new Uint8Array(e.data)) as WireMessage;
        if (msg.t === 'res') {
          const p = pending.get(msg.id);
          pending.delete(msg.id);
          p?.resolve(msg.result);
        } else if (msg.t === 'evt') {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        }
      };
      ws.onclose = () => {
        socket = null;
        opened = null;
        const err = new Error('connection to the studio closed');
        for (const p of pending.values()) p.reject(err);
        pending.clear();
        reject(err);
        // Keep events flowing: reconnect while someone listens.
        if ([...listeners.values()].some((s) => s.size > 0)) setTimeout(() => void connect().catch(() => undefined), 1000);
      };
    });
    return opened;
  }

  return {
    async invoke(channel: RequestChannel, request: unknown) {
      const ws = socket ?? (await connect());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(encodeFrame({ t: 'req', id, channel, request } satisfies WireMessage));
      });
    },
    subscribe(event: EventChannel, listener: (payload: unknown) => void): Unsubscribe {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      void connect().catch(() => undefined);
      return () => {
        set.delete(listener);
      };
    },
  };
}
