/**
 * A stand-in for the aging engine at the browser host's socket. Every request goes to the real
 * host except the channels named here, which the test answers: a test model in models:list,
 * aging:preview and aging:strip with generated 128 px images that show the target age, and
 * aging:cancel (recorded). Used only where a real engine cannot serve the test: the age drag
 * story counts requests against a fixed engine time, and the slider bench's studio-overhead
 * figure needs a 0 ms engine. Compare and export run on the real engine.
 */
import type { Page, WebSocketRoute } from '@playwright/test';
import sharp from 'sharp';
import { decodeFrame, encodeFrame, type WireMessage } from '../../preload/wire-codec';
import { SHIPPED_MODEL_RANK } from '../../preload/schemas/models';

export const STUB_MODEL = {
  id: 'stub-model',
  name: 'Test model (stub engine)',
  // The best-ranked shipped kind, listed first: a new session starts on the stub, not on a real model.
  kind: SHIPPED_MODEL_RANK[0],
  origin: 'shipped' as const,
  parentId: null,
  lineage: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  ageRange: [0, 90] as [number, number],
  resolution: 128,
  trainingSteps: 0,
  metrics: {},
};

export interface AgingStub {
  previews: { requestId: string; targetAge: number; at: number }[];
  cancels: string[];
  strips: number;
  /** Simulated engine time per preview. */
  engineMs: number;
}

const images = new Map<string, Uint8Array>();
async function ageImage(age: number, size = 128): Promise<Uint8Array> {
  const key = `${age}@${size}`;
  const hit = images.get(key);
  if (hit) return hit;
  const light = Math.round(80 - age * 0.5);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="hsl(30,35%,${light}%)"/><text x="50%" y="58%" font-size="${size / 3}" text-anchor="middle" fill="#fff" font-family="sans-serif">${Math.round(age)}</text></svg>`;
  const png = new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
  images.set(key, png);
  return png;
}

/** Renders the stub's images ahead of a measurement so the stub's own work is not timed. */
export async function warmStubImages(ages: readonly number[]): Promise<void> {
  for (const a of ages) await ageImage(a);
}

const toBytes = (m: string | Buffer): Uint8Array => (typeof m === 'string' ? new TextEncoder().encode(m) : new Uint8Array(m));

export async function stubAging(
  page: Page,
  options: {
    engineMs?: number;
    withModel?: boolean;
    /** false: previews go to the real host. */
    answerPreviews?: boolean;
    /** Answers more channels: call `reply` and return true, or return false to pass the request on. */
    handle?: (channel: string, request: Record<string, unknown>, reply: (value: unknown) => void, push: (event: string, payload: unknown) => void) => boolean;
  } = {},
): Promise<AgingStub> {
  const stub: AgingStub = { previews: [], cancels: [], strips: 0, engineMs: options.engineMs ?? 40 };
  const pendingPreviews = new Map<string, () => void>();
  await page.routeWebSocket(/\/ws$/, (ws: WebSocketRoute) => {
    const server = ws.connectToServer();
    const reply = (id: number, result: unknown) => ws.send(Buffer.from(encodeFrame({ t: 'res', id, result } satisfies WireMessage)));
    // Answers from main pass through, except models:list gets the stub model added.
    const listIds = new Set<number>();
    server.onMessage((m) => {
      const msg = decodeFrame(toBytes(m)) as WireMessage;
      if (msg.t === 'res' && listIds.has(msg.id)) {
        listIds.delete(msg.id);
        const r = msg.result as { ok: boolean; value?: { models: unknown[] } };
        if (r.ok && r.value && options.withModel !== false) r.value.models = [STUB_MODEL, ...r.value.models];
        return ws.send(Buffer.from(encodeFrame(msg)));
      }
      ws.send(m);
    });
    ws.onMessage(async (m) => {
      const msg = decodeFrame(toBytes(m)) as WireMessage;
      if (msg.t !== 'req') return server.send(m);
      const req = msg.request as Record<string, unknown>;
      if (msg.channel === 'models:list') listIds.add(msg.id);
      const push = (event: string, payload: unknown) => ws.send(Buffer.from(encodeFrame({ t: 'evt', event, payload } satisfies WireMessage)));
      if (options.handle?.(msg.channel, req, (value) => reply(msg.id, { ok: true, value }), push)) return;
      if (msg.channel === 'aging:preview' && req.modelId === STUB_MODEL.id && options.answerPreviews !== false) {
        const requestId = String(req.requestId);
        const targetAge = Number(req.targetAge);
        stub.previews.push({ requestId, targetAge, at: Date.now() });
        let cancelled = false;
        pendingPreviews.set(requestId, () => (cancelled = true));
        const started = Date.now();
        const bytes = await ageImage(targetAge);
        await new Promise((r) => setTimeout(r, Math.max(0, stub.engineMs - (Date.now() - started))));
        pendingPreviews.delete(requestId);
        if (cancelled) return reply(msg.id, { ok: false, error: { code: 'cancelled', message: 'superseded' } });
        const image = { mime: 'image/png', width: 128, height: 128, bytes };
        return reply(msg.id, {
          ok: true,
          value: {
            requestId,
            targetAge,
            crop: req.output === 'pasted' ? null : image,
            pasted: req.output === 'crop' ? null : { image, region: { x: 40, y: 40, width: 128, height: 128 } },
            estimatedAge: targetAge + 2,
            engineMs: stub.engineMs,
          },
        });
      }
      if (msg.channel === 'aging:cancel') {
        const id = String(req.requestId);
        stub.cancels.push(id);
        const cancel = pendingPreviews.get(id);
        if (cancel) {
          cancel();
          return reply(msg.id, { ok: true, value: { cancelled: true } });
        }
        return server.send(m);
      }
      if (msg.channel === 'aging:strip' && req.modelId === STUB_MODEL.id && options.answerPreviews !== false) {
        stub.strips++;
        const ages = req.ages as number[];
        const frames = [];
        for (const [index, age] of ages.entries()) {
          const image = { mime: 'image/png', width: 128, height: 128, bytes: await ageImage(age) };
          frames.push({ age, image });
          ws.send(Buffer.from(encodeFrame({ t: 'evt', event: 'aging:stripFrame', payload: { requestId: req.requestId, index, age, image } } satisfies WireMessage)));
        }
        return reply(msg.id, { ok: true, value: { requestId: req.requestId, frames } });
      }
      server.send(m);
    });
  });
  return stub;
}
