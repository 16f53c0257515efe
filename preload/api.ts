/**
 * Builds the `window.studio` domain API from the contract over any transport. The Electron
 * preload passes an ipcRenderer transport (preload/index.ts); the browser host's client passes a
 * WebSocket transport (renderer/lib/ws-transport.ts). The renderer derives its types from this
 * function (`StudioApi`), so API and contract cannot drift.
 *
 * Shape: `studio.<domain>.<method>(request)` resolves to a Result and never rejects;
 * `studio.<domain>.on<Event>(listener)` returns an unsubscribe function.
 */
import {
  EVENT_CHANNELS,
  REQUEST_CHANNELS,
  fail,
  type EventChannel,
  type EventOf,
  type RequestChannel,
  type RequestOf,
  type ResponseOf,
  type Result,
} from './contract';

export type Unsubscribe = () => void;

/** The two things a host must carry: request/response pairs and events. */
export interface StudioTransport {
  /** Resolves to the Result envelope main produced; may reject if the transport itself fails. */
  invoke(channel: RequestChannel, request: unknown): Promise<unknown>;
  subscribe(event: EventChannel, listener: (payload: unknown) => void): Unsubscribe;
}

type RequestFn<C extends RequestChannel> =
  // Channels whose request has no required field may be called without an argument.
  Record<never, never> extends RequestOf<C>
    ? (request?: RequestOf<C>) => Promise<Result<ResponseOf<C>>>
    : (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>>;

type SubscribeFn<E extends EventChannel> = (listener: (payload: EventOf<E>) => void) => Unsubscribe;

type DomainOf<N extends string> = N extends `${infer D}:${string}` ? D : never;

type DomainApi<D extends string> = {
  [C in RequestChannel as C extends `${D}:${infer M}` ? M : never]: RequestFn<C>;
} & {
  [E in EventChannel as E extends `${D}:${infer N}` ? `on${Capitalize<N>}` : never]: SubscribeFn<E>;
};

export type StudioApiShape = { [D in DomainOf<RequestChannel | EventChannel>]: DomainApi<D> };

function splitName(name: string): [domain: string, member: string] {
  const at = name.indexOf(':');
  return [name.slice(0, at), name.slice(at + 1)];
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; error?: unknown };
  if (v.ok === true) return 'value' in v;
  return v.ok === false && typeof v.error === 'object' && v.error !== null;
}

export function createStudioApi(transport: StudioTransport): StudioApiShape {
  const api: Record<string, Record<string, unknown>> = {};
  const domain = (d: string) => (api[d] ??= {});

  for (const channel of REQUEST_CHANNELS) {
    const [d, method] = splitName(channel);
    domain(d)[method] = async (request?: unknown): Promise<Result<unknown>> => {
      try {
        const answer = await transport.invoke(channel, request ?? {});
        return isResult(answer) ? answer : fail('internal', `malformed answer on ${channel}`);
      } catch (err) {
        return fail('disconnected', `${channel}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
  }

  for (const event of EVENT_CHANNELS) {
    const [d, name] = splitName(event);
    const key = `on${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    domain(d)[key] = (listener: (payload: unknown) => void): Unsubscribe => {
      if (typeof listener !== 'function') throw new TypeError(`${key} needs a listener function`);
      return transport.subscribe(event, listener);
    };
  }

  return api as unknown as StudioApiShape;
}

export type StudioApi = ReturnType<typeof createStudioApi>;
