/**
 * A stand-in for the aging engine at the browser host's socket. Every request goes to the real
 * host except the channels named here, which the test answers: a test model in models:list,
 * aging:preview and aging:strip with generated 128 px images that show the target age, and
 * aging:cancel (recorded). Used only where a real engine cannot serve the test: the age drag
 * story counts requests against a fixed engine time, and the slider bench's studio-overhead
 * figure needs a 0 ms engine (`stubAgingInPage`, answered in the page itself). Compare and
 * export run on the real engine.
 */
import type { Page, WebSocketRoute } from '@playwright/test';
import sharp from 'sharp';
import { decodeFrame, encodeFrame, type WireMessage } from '../../preload/wire-codec';
import { SHIPPED_DEFAULT_NAME, SHIPPED_MODEL_RANK } from '../../preload/schemas/models';

export const STUB_MODEL = {
  id: 'stub-model',
  // Named as the default shipped model and listed first, of the best-ranked shipped kind: a new
  // session starts on the stub, not on a real model (renderer/hooks/default-model.ts).
  name: SHIPPED_DEFAULT_NAME,
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
  previews: { requestId: string; targetAge: number; at: number; draft: boolean }[];
  cancels: string[];
  strips: number;
  /** Simulated engine time per preview. */
  engineMs: number;
}

const images = new Map<string, Uint8Array>();
async function ageImage(age: number, size = 128, format: 'png' | 'jpeg' = 'png'): Promise<Uint8Array> {
  const key = `${age}@${size}.${format}`;
  const hit = images.get(key);
  if (hit) return hit;
  const light = Math.round(80 - age * 0.5);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="hsl(30,35%,${light}%)"/><text x="50%" y="58%" font-size="${size / 3}" text-anchor="middle" fill="#fff" font-family="sans-serif">${Math.round(age)}</text></svg>`;
  const img = sharp(Buffer.from(svg));
  const bytes = new Uint8Array(await (format === 'png' ? img.png() : img.jpeg({ quality: 90, chromaSubsampling: '4:4:4' })).toBuffer());
  images.set(key, bytes);
  return bytes;
}

/**
 * The stub engine inside the page, for the slider bench's studio-overhead figure: the page's own
 * WebSocket is wrapped so aging:preview for the stub model is answered at once, as a real answer
 * frame with a `size` px JPEG of the target age (as the engine sends previews), and models:list
 * answers gain the stub model; everything else goes to the real host. Unlike `stubAging`, no
 * message takes a trip through the test runner, whose round trip alone (tens of ms on a loaded
 * machine) is more than the studio's own work being measured. Call before the page loads.
 */
export async function stubAgingInPage(page: Page, { size, ages }: { size: number; ages: readonly number[] }): Promise<void> {
  const jpegs: Record<string, string> = {};
  for (const a of ages) jpegs[a.toFixed(1)] = Buffer.from(await ageImage(a, size, 'jpeg')).toString('base64');
  await page.addInitScript(
    ({ model, jpegs, size }) => {
      const Native = window.WebSocket;
      const enc = new TextEncoder();
      const dec = new TextDecoder();
      const bins = new Map(Object.entries(jpegs).map(([k, v]) => [k, Uint8Array.from(atob(v), (c) => c.charCodeAt(0))]));
      const u32 = (n: number) => {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setUint32(0, n, true);
        return b;
      };
      // The wire codec's layout (preload/wire-codec.ts): u32 header length, JSON header, attachments.
      const unpack = (buf: Uint8Array) => {
        const n = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0, true);
        return { head: JSON.parse(dec.decode(buf.subarray(4, 4 + n))), rest: buf.subarray(4 + n) };
      };
      const pack = (head: unknown, ...parts: Uint8Array[]) => {
        const h = enc.encode(JSON.stringify(head));
        const all = [u32(h.length), h, ...parts];
        const out = new Uint8Array(all.reduce((s, p) => s + p.length, 0));
        let at = 0;
        for (const p of all) {
          out.set(p, at);
          at += p.length;
        }
        return out.buffer;
      };
      class StubSocket extends Native {
        private readonly listIds = new Set<number>();
        private handler: ((e: MessageEvent) => void) | null = null;
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          super.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => {
            const { head, rest } = unpack(new Uint8Array(e.data));
            if (head.t === 'res' && this.listIds.delete(head.id) && head.result?.ok) {
              head.result.value.models = [model, ...head.result.value.models];
              return this.handler?.(new MessageEvent('message', { data: pack(head, rest) }));
            }
            this.handler?.(e);
          });
          // The transport's onmessage gets what the listener above passes on.
          Object.defineProperty(this, 'onmessage', {
            get: () => this.handler,
            set: (fn: ((e: MessageEvent) => void) | null) => (this.handler = fn),
          });
        }
        override send(data: string | BufferSource | Blob) {
          // The transport sends binary frames only (Uint8Array views).
          if (!ArrayBuffer.isView(data)) return super.send(data);
          const buf = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
          const { head } = unpack(buf);
          if (head.t === 'req' && head.channel === 'models:list') this.listIds.add(head.id);
          const req = head.request;
          if (head.t === 'req' && head.channel === 'aging:preview' && req.modelId === model.id) {
            const key = [...bins.keys()].reduce((a, b) => (Math.abs(Number(b) - req.targetAge) < Math.abs(Number(a) - req.targetAge) ? b : a));
            const bytes = bins.get(key)!;
            const crop = { mime: 'image/jpeg', width: size, height: size, bytes: { $bin: 0 } };
            const value = { requestId: req.requestId, targetAge: req.targetAge, crop, pasted: null, estimatedAge: null, engineMs: 0 };
            const frame = pack({ t: 'res', id: head.id, result: { ok: true, value } }, u32(bytes.length), bytes);
            setTimeout(() => this.handler?.(new MessageEvent('message', { data: frame })), 0);
            return;
          }
          super.send(data);
        }
      }
      window.WebSocket = StubSocket;
    },
    { model: STUB_MODEL, jpegs, size },
  );
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
        stub.previews.push({ requestId, targetAge, at: Date.now(), draft: req.quality === 'draft' });
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
