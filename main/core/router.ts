/**
 * The one typed path from a host (Electron IPC, the browser host's socket, tests) into main's
 * handlers: checks the channel name, validates the payload with the contract's schema, runs the
 * handler, validates the response, and turns every failure into a typed `{ code, message }`.
 * Channels without a handler yet answer 'not-available-yet' (never fake output).
 */
import {
  fail,
  isRequestChannel,
  requestChannels,
  type ErrorCode,
  type ParsedRequestOf,
  type RequestChannel,
  type ResponseOf,
  type Result,
} from '../../preload/contract';

export type HostKind = 'electron' | 'web' | 'cli' | 'test';

export interface CallContext {
  host: HostKind;
  /** Aborted when the caller goes away (window closed, socket dropped). */
  signal?: AbortSignal;
}

/** A failure a handler raises on purpose; the router turns it into `{ ok: false, error }`. */
export class StudioFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export type Handler<C extends RequestChannel> = (
  request: ParsedRequestOf<C>,
  ctx: CallContext,
) => Promise<ResponseOf<C> | Result<ResponseOf<C>>> | ResponseOf<C> | Result<ResponseOf<C>>;

export type HandlerMap = { [C in RequestChannel]?: Handler<C> };

/** Identity helper that type-checks a group of handlers against the contract. */
export function defineHandlers<M extends HandlerMap>(handlers: M): M {
  return handlers;
}

function isResultShape(v: unknown): v is Result<unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    'ok' in v &&
    ((v as { ok: unknown }).ok === true || (v as { ok: unknown }).ok === false) &&
    ('value' in v || 'error' in v) &&
    Object.keys(v).length === 2
  );
}

export interface Router {
  dispatch(channel: unknown, payload: unknown, ctx: CallContext): Promise<Result<unknown>>;
  has(channel: RequestChannel): boolean;
}

export function createRouter(
  handlerGroups: HandlerMap[],
  options: { onError?: (channel: string, err: unknown) => void } = {},
): Router {
  const handlers: HandlerMap = {};
  for (const group of handlerGroups) {
    for (const [name, fn] of Object.entries(group)) {
      if (Object.hasOwn(handlers, name)) throw new Error(`two handlers for ${name}`);
      (handlers as Record<string, unknown>)[name] = fn;
    }
  }

  return {
    has: (channel) => Object.hasOwn(handlers, channel),
    async dispatch(channel, payload, ctx) {
      if (!isRequestChannel(channel)) {
        const name = typeof channel === 'string' ? JSON.stringify(channel.slice(0, 80)) : `of type ${channel === null ? 'null' : typeof channel}`;
        return fail('invalid-payload', `unknown channel ${name}`);
      }
      const def = requestChannels[channel];
      const parsed = def.request.safeParse(payload);
      if (!parsed.success) {
        return fail(
          'invalid-payload',
          `${channel}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
          parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        );
      }
      const handler = handlers[channel] as Handler<RequestChannel> | undefined;
      if (!handler) return fail('not-available-yet', `${channel} is not available yet in this version of the studio`);
      try {
        const out = await handler(parsed.data as never, ctx);
        const result = isResultShape(out) ? out : { ok: true as const, value: out };
        if (!result.ok) return result;
        const checked = def.response.safeParse(result.value);
        if (!checked.success) {
          options.onError?.(channel, checked.error);
          return fail('internal', `${channel} produced a malformed response: ${checked.error.issues[0]?.message ?? ''}`);
        }
        return { ok: true, value: checked.data };
      } catch (err) {
        if (err instanceof StudioFailure) return fail(err.code, err.message, err.details);
        options.onError?.(channel, err);
        return fail('internal', `${channel} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
