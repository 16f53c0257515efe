import { describe, expect, it } from 'vitest';
import { createStudioApi, type StudioTransport } from '../../../preload/api';
import { REQUEST_CHANNELS, requestChannels, eventChannels, isRequestChannel } from '../../../preload/contract';

describe('contract schemas', () => {
  it('rejects malformed payloads and accepts good ones', () => {
    const ping = requestChannels['system:ping'].request;
    expect(ping.safeParse({}).success).toBe(true);
    expect(ping.safeParse({ delayMs: -1 }).success).toBe(false);
    expect(ping.safeParse({ delayMs: 'slow' }).success).toBe(false);
    expect(ping.safeParse({ evil: true }).success).toBe(false);
    expect(ping.safeParse(null).success).toBe(false);

    const imp = requestChannels['photos:import'].request;
    const good = { source: { kind: 'bytes', files: [{ name: 'a.jpg', bytes: new Uint8Array([1, 2, 3]) }] } };
    const parsed = imp.safeParse(good);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.projectId).toBeNull();
    expect(parsed.data?.tags).toEqual([]);
    // A path string where bytes belong is refused: the renderer never sends paths.
    expect(imp.safeParse({ source: { kind: 'bytes', files: [{ name: 'a.jpg', bytes: '/etc/passwd' }] } }).success).toBe(false);
    expect(imp.safeParse({ source: { kind: 'path', path: '/etc/passwd' } }).success).toBe(false);
    expect(imp.safeParse({ source: { kind: 'bytes', files: [] } }).success).toBe(false);

    const preview = requestChannels['aging:preview'].request;
    expect(preview.safeParse({ requestId: 'r1', photoId: 'p', modelId: 'm', targetAge: 40 }).success).toBe(true);
    expect(preview.safeParse({ requestId: 'r1', photoId: 'p', modelId: 'm', targetAge: 140 }).success).toBe(false);
    expect(preview.safeParse({ requestId: '', photoId: 'p', modelId: 'm', targetAge: 40 }).success).toBe(false);

    const list = requestChannels['photos:list'].request;
    expect(list.parse({})).toMatchObject({ offset: 0, limit: 50, sort: 'imported-desc' });
    expect(list.safeParse({ limit: 10_000 }).success).toBe(false);

    const train = requestChannels['training:start'].request;
    expect(
      train.safeParse({ kind: 'cyclegan', baseModelId: null, selection: { by: 'tag', tag: 'me' }, steps: 10 }).success,
    ).toBe(true);
    expect(
      train.safeParse({ kind: 'cyclegan', baseModelId: null, selection: { by: 'everything' }, steps: 10 }).success,
    ).toBe(false);

    // Stopping a run keeps what it learnt unless told to discard it.
    const cancel = requestChannels['training:cancel'].request;
    expect(cancel.parse({ runId: '7' })).toEqual({ runId: '7', keep: true });
    expect(cancel.parse({ runId: '7', keep: false })).toEqual({ runId: '7', keep: false });
    expect(cancel.safeParse({ runId: '7', keep: 'yes' }).success).toBe(false);
    expect(cancel.safeParse({ runId: '7', keep: 1 }).success).toBe(false);
    expect(cancel.safeParse({ keep: true }).success).toBe(false);
    expect(cancel.safeParse({ runId: '7', keep: true, discard: true }).success).toBe(false);
  });

  it('declares the complete channel set', () => {
    for (const name of [
      'system:status', 'system:ping', 'settings:get', 'settings:set', 'projects:list', 'projects:create',
      'projects:rename', 'projects:delete', 'photos:import', 'photos:list', 'photos:get', 'photos:delete',
      'photos:undoDelete', 'photos:tag', 'faces:list', 'models:list', 'models:get', 'models:delete',
      'aging:preview', 'aging:cancel', 'aging:strip', 'export:start', 'export:cancel', 'training:start',
      'training:pause', 'training:resume', 'training:cancel', 'training:list', 'finetune:start',
      'finetune:identityCheck', 'dialogs:openFiles', 'dialogs:openFolder', 'dialogs:chooseExportDestination',
    ]) {
      expect(isRequestChannel(name), name).toBe(true);
    }
    expect(isRequestChannel('toString')).toBe(false);
    expect(Object.keys(eventChannels)).toContain('training:progress');
    expect(Object.keys(eventChannels)).toContain('export:progress');
  });
});

describe('createStudioApi', () => {
  it('maps channels to domain methods and events to unsubscribable listeners', async () => {
    const calls: Array<[string, unknown]> = [];
    const listeners = new Map<string, Set<(p: unknown) => void>>();
    const transport: StudioTransport = {
      invoke: async (channel, request) => {
        calls.push([channel, request]);
        if (channel === 'system:ping') return { ok: true, value: { echo: 'x', backend: 'cpu', enginePid: 1, roundTripMs: 1 } };
        if (channel === 'photos:get') throw new Error('socket closed');
        return 'garbage';
      },
      subscribe: (event, listener) => {
        const set = listeners.get(event) ?? new Set();
        set.add(listener);
        listeners.set(event, set);
        return () => set.delete(listener);
      },
    };
    const api = createStudioApi(transport);
    const pong = await api.system.ping({ echo: 'x' });
    expect(pong.ok && pong.value.backend).toBe('cpu');
    expect(calls[0]).toEqual(['system:ping', { echo: 'x' }]);

    const status = await api.system.status();
    expect(status).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(calls[1]).toEqual(['system:status', {}]);

    const got = await api.photos.get({ photoId: 'p1' });
    expect(got).toMatchObject({ ok: false, error: { code: 'disconnected' } });

    const seen: number[] = [];
    const off = api.training.onProgress((p) => seen.push(p.step));
    for (const l of listeners.get('training:progress') ?? []) l({ step: 3 });
    off();
    for (const l of listeners.get('training:progress') ?? []) l({ step: 4 });
    expect(seen).toEqual([3]);

    for (const c of REQUEST_CHANNELS) {
      const [d, m] = c.split(':') as [string, string];
      expect(typeof (api as unknown as Record<string, Record<string, unknown>>)[d]?.[m], c).toBe('function');
    }
  });
});

// Compile-time checks: these lines fail `npm run typecheck` if the derived API types drift.
export function typeChecks(api: ReturnType<typeof createStudioApi>): void {
  void api.system.status();
  void api.projects.list();
  // @ts-expect-error photoId is required
  void api.photos.get();
  // @ts-expect-error unknown channel
  void api.photos.explode;
  void api.aging.preview({ requestId: 'r', photoId: 'p', modelId: 'm', targetAge: 30 }).then((r) => {
    if (r.ok) void r.value.crop?.bytes.byteLength;
    else void (r.error.code satisfies string);
  });
  const off: () => void = api.export.onProgress((p) => void p.done);
  off();
}

describe('wire codec', () => {
  it('round-trips nested bytes without base64', async () => {
    const { encodeFrame, decodeFrame } = await import('../../../preload/wire-codec');
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const msg = { t: 'req', id: 7, request: { files: [{ name: 'a', bytes }, { name: 'b', bytes: new Uint8Array(0) }], n: null } };
    const frame = encodeFrame(msg);
    // Header + two attachments; the raw bytes appear verbatim (no base64 inflation).
    expect(frame.byteLength).toBeLessThan(200);
    const back = decodeFrame(frame) as typeof msg;
    expect(back.request.files[0]?.bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.request.files[0]?.bytes ?? [])).toEqual([0, 1, 2, 250, 255]);
    expect(back.request.files[1]?.bytes.byteLength).toBe(0);
    expect(back.request.n).toBeNull();
    expect(() => decodeFrame(frame.subarray(0, frame.byteLength - 2))).toThrow(/^wire:/);
  });
});
