import { describe, expect, it } from 'vitest';
import type { PreviewResponse, Result } from '../../../../../preload/contract';
import {
  PreviewScheduler,
  previewKey,
  type PreviewRequestOut,
  type PreviewTarget,
  type ShownPreview,
} from '../../../../../renderer/features/age/api/preview-scheduler';

/** A fake engine whose answers the test releases by hand, recording cancels. */
function fakeEngine() {
  const calls: { req: PreviewRequestOut; resolve: (r: Result<PreviewResponse>) => void }[] = [];
  const cancelled: string[] = [];
  const answer = (i: number, code?: 'cancelled' | 'not-available-yet') => {
    const c = calls[i]!;
    if (code) c.resolve({ ok: false, error: { code, message: code } });
    else
      c.resolve({
        ok: true,
        value: { requestId: c.req.requestId, targetAge: c.req.targetAge, crop: null, pasted: null, estimatedAge: c.req.targetAge, engineMs: 5 },
      });
  };
  return {
    calls,
    cancelled,
    answer,
    send: (req: PreviewRequestOut) => new Promise<Result<PreviewResponse>>((resolve) => calls.push({ req, resolve })),
    cancel: (id: string) => {
      cancelled.push(id);
      // main answers the cancelled request with 'cancelled'
      const i = calls.findIndex((c) => c.req.requestId === id);
      if (i >= 0) answer(i, 'cancelled');
    },
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const at = (age: number): PreviewTarget => ({ photoId: 'p1', faceIndex: 0, modelId: 'm1', age });

function setup(prefetchOffsets: number[] = []) {
  const engine = fakeEngine();
  const shown: ShownPreview<number>[] = [];
  const errors: string[] = [];
  const released: number[] = [];
  const s = new PreviewScheduler<number>({
    send: engine.send,
    cancel: engine.cancel,
    toValue: (r) => r.targetAge,
    release: (v) => released.push(v),
    onShow: (x) => shown.push(x),
    onError: (e) => errors.push(e.code),
    prefetchOffsets,
    cacheSize: 4,
  });
  return { engine, shown, errors, released, s };
}

describe('PreviewScheduler', () => {
  it('keeps one draft in flight while dragging, shows each answer as a frame and drops superseded targets', async () => {
    const { engine, shown, s } = setup([1, -1]);
    s.request(at(30), { final: false });
    for (const a of [31, 32, 33, 34]) s.request(at(a), { final: false });
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]!.req.quality).toBe('draft');
    expect(s.stats.dropped).toBe(3);
    engine.answer(0);
    await flush();
    // The thumb has moved on to 34, yet 30's answer is a drag frame, shown at once (labelled 30);
    // then only the latest waiting target (34) goes out, as a draft.
    expect(shown.map((x) => [x.target.age, x.draft])).toEqual([[30, true]]);
    expect(engine.calls).toHaveLength(2);
    expect(engine.calls[1]!.req).toMatchObject({ targetAge: 34, quality: 'draft' });
    engine.answer(1);
    await flush();
    expect(shown.map((x) => x.target.age)).toEqual([30, 34]);
    expect(s.stats.dragFrames).toBe(2);
    // Nothing is prefetched mid-drag.
    expect(engine.calls).toHaveLength(2);
    expect(s.cache.has(previewKey(at(30), true))).toBe(true);
    expect(s.cache.has(previewKey(at(30)))).toBe(false);
  });

  it('a release never settles on a draft: the released age is asked for at full quality', async () => {
    const { engine, shown, s } = setup();
    s.request(at(40), { final: false });
    engine.answer(0);
    await flush();
    expect(shown.at(-1)).toMatchObject({ value: 40, draft: true });
    // Released where the last draft was: the draft stays on screen while the full one comes.
    s.request(at(40), { final: true });
    expect(engine.calls).toHaveLength(2);
    expect(engine.calls[1]!.req).toMatchObject({ targetAge: 40, quality: 'full' });
    engine.answer(1);
    await flush();
    expect(shown.at(-1)).toMatchObject({ value: 40, draft: false, fromCache: false });
    // Dragging back over 40 later reuses the full preview rather than asking again.
    s.request(at(40), { final: false });
    expect(shown.at(-1)).toMatchObject({ fromCache: true, draft: false });
    expect(engine.calls).toHaveLength(2);
  });

  it('on release cancels a stale request in flight and sends the released target at once', async () => {
    const { engine, shown, s } = setup();
    s.request(at(20), { final: false });
    s.request(at(50), { final: true });
    expect(engine.cancelled).toEqual([engine.calls[0]!.req.requestId]);
    expect(engine.calls).toHaveLength(2);
    expect(engine.calls[1]!.req.targetAge).toBe(50);
    await flush();
    engine.answer(1);
    await flush();
    expect(shown.map((x) => [x.target.age, x.fromCache])).toEqual([[50, false]]);
    expect(engine.calls).toHaveLength(2);
  });

  it('serves cached targets without the engine and evicts least recently used', async () => {
    const { engine, shown, released, s } = setup();
    for (const [i, a] of [10, 20, 30, 40].entries()) {
      s.request(at(a));
      engine.answer(i);
      await flush();
    }
    s.request(at(10)); // hit: 10 becomes most recent
    expect(engine.calls).toHaveLength(4);
    expect(shown.at(-1)).toMatchObject({ fromCache: true, value: 10 });
    s.request(at(50));
    engine.answer(4);
    await flush();
    // capacity 4: 20 was least recently used
    expect(released).toEqual([20]);
    expect(s.cache.has(previewKey(at(10)))).toBe(true);
    expect(s.cache.has(previewKey(at(20)))).toBe(false);
  });

  it('prefetches neighbouring ages when idle, and a foreground request cancels a prefetch', async () => {
    const { engine, s } = setup([1, -1]);
    s.request(at(40));
    engine.answer(0);
    await flush();
    expect(engine.calls[1]!.req.targetAge).toBe(41);
    s.request(at(70), { final: false });
    expect(engine.cancelled).toContain(engine.calls[1]!.req.requestId);
    expect(engine.calls[2]!.req.targetAge).toBe(70);
    expect(s.stats.prefetched).toBe(1);
  });

  it('with `idle` injected, prefetches only once the shown preview is on screen', async () => {
    const engine = fakeEngine();
    const idle: (() => void)[] = [];
    const s = new PreviewScheduler<number>({
      send: engine.send,
      cancel: engine.cancel,
      toValue: (r) => r.targetAge,
      onShow: () => undefined,
      onError: () => undefined,
      prefetchOffsets: [1],
      idle: (prefetch) => idle.push(prefetch),
    });
    s.request(at(40));
    engine.answer(0);
    await flush();
    expect(engine.calls).toHaveLength(1);
    expect(idle).toHaveLength(1);
    // A newer request before the paint: the held prefetch does not run beside it.
    s.request(at(70));
    idle[0]!();
    expect(engine.calls.map((c) => c.req.targetAge)).toEqual([40, 70]);
    engine.answer(1);
    await flush();
    expect(engine.calls).toHaveLength(2);
    idle[1]!();
    expect(engine.calls.map((c) => c.req.targetAge)).toEqual([40, 70, 71]);
  });

  it('promotes a prefetch in flight when the user lands on it', async () => {
    const { engine, shown, s } = setup([1]);
    s.request(at(40));
    engine.answer(0);
    await flush();
    s.request(at(41));
    expect(engine.calls).toHaveLength(2);
    engine.answer(1);
    await flush();
    expect(shown.at(-1)).toMatchObject({ value: 41, fromCache: false });
  });

  it('reports errors for the wanted target once and does not retry or prefetch after them', async () => {
    const { engine, errors, s } = setup([1, -1]);
    s.request(at(40));
    engine.answer(0, 'not-available-yet');
    await flush();
    expect(errors).toEqual(['not-available-yet']);
    expect(engine.calls).toHaveLength(1);
    s.request(at(41));
    expect(engine.calls).toHaveLength(2);
  });

  it('retries once when main cancels the wanted request on its own, then gives up', async () => {
    const { engine, s } = setup();
    s.request(at(40));
    engine.answer(0, 'cancelled');
    await flush();
    expect(engine.calls).toHaveLength(2);
    engine.answer(1, 'cancelled');
    await flush();
    expect(engine.calls).toHaveLength(2);
  });

  it('keys previews by photo, face, model and age', () => {
    expect(previewKey(at(40))).not.toBe(previewKey({ ...at(40), faceIndex: 1 }));
    expect(previewKey(at(40))).not.toBe(previewKey({ ...at(40), modelId: 'm2' }));
    expect(previewKey(at(40))).toBe(previewKey(at(40.0)));
    expect(previewKey(at(40.25))).not.toBe(previewKey(at(40)));
  });
});
