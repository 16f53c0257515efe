/**
 * Benchmark (prints numbers): from releasing the age slider to the new preview on screen (decoded
 * and one animation frame later), for every shipped model the library offers, each aging the face
 * at the size the studio ages it at (the face's own size in the photo for the prototype, the
 * engineered stages and textured models; a bare generator's own resolution otherwise: `cropPx`).
 * The budget: p95 at most 150 ms on 2 cores, wasm.
 *
 * Real engine: a fresh library's shipped models, each picked in the model menu as a user does,
 * aging the face of a real portrait (one-face.jpg) through the real browser host, main core and
 * engine process. Each release is to an age the scheduler has not prefetched (cache hits are
 * reported apart), once after a pause ("settled", the budget's case: SETTLE_MS after the last
 * preview and no aging request out, so the idle prefetch and the shown preview's age estimate are
 * done) and once back to back (while the engine still prefetches); then three continuous drags. Per release, `phasesP50` splits the time: release -> request (the
 * renderer's event handling), request -> answer (socket, main, engine process and back; `engine`
 * of it inside the engine's op) and answer -> on screen (React, image decode, the next frame);
 * `overheadMs` is release -> on screen minus the engine's own time.
 * Studio overhead: the same settled clicks with a 0 ms engine (stubAgingInPage in
 * tests/e2e/aging-stub.ts, answered inside the page with a JPEG at the prototype's preview size): what the renderer
 * (events, scheduler, React, decoding) costs around an engine; `socketRoundTripMs` is a small
 * request's round trip to main over the real socket.
 *
 * Results: tests/artifacts/age-bench.json, one `age-bench {...}` line and one summary line per
 * model on stdout; `npm run bench -- slider` builds, runs this spec and prints the same JSON (the
 * e2e suite skips it unless E2E_BENCH=1: E2E_BENCH=1 npx playwright test tests/e2e/age-bench.spec.ts).
 * Timing is not asserted (the machine is shared; see common rules): the JSON says withinBudget.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Page } from '@playwright/test';
import type { ModelSummary } from '../../preload/contract';
import { ESTIMATE_DELAY_MS } from '../../renderer/features/age/hooks/use-preview';
import { STUB_MODEL, stubAgingInPage } from './aging-stub';
import { expect, fixturePhoto, openStudio, seedPhotos, test } from './ui-fixtures';

/** Far apart, so most are neither the previous age nor a prefetched neighbour; two disjoint sets. */
const AGES_SETTLED = [12, 27, 43, 71, 88, 19, 35, 50];
const AGES_BACK_TO_BACK = [80, 4, 63, 31, 75, 9, 55, 23];
const BUDGET_MS = 150;
/**
 * A settled release comes this long after the last preview and once no aging request is out: past
 * the estimate of the shown preview (asked for ESTIMATE_DELAY_MS after it shows), which a release
 * a moment after it would wait behind.
 */
const SETTLE_MS = ESTIMATE_DELAY_MS + 200;

type Stats = { n: number; p50?: number; p95?: number; max?: number; mean?: number };

function stats(xs: number[]): Stats {
  if (xs.length === 0) return { n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  const r = (x: number) => +x.toFixed(1);
  return { n: s.length, p50: r(q(0.5)), p95: r(q(0.95)), max: r(s[s.length - 1]!), mean: r(s.reduce((a, b) => a + b, 0) / s.length) };
}

const median = (xs: number[]) => stats(xs).p50 ?? null;

interface Release {
  ms: number;
  fromCache: boolean;
  engineMs: number;
  releaseToRequest: number;
  requestToAnswer: number;
  answerToScreen: number;
}

/**
 * Click the slider rail at `age` (a press and release) and return release -> preview on screen.
 * The click lands where MUI maps exactly to `age` (the slider's step is 0.5): the committed age is
 * read back, and the wait is for that age's preview. The wait is an observer in the page, not
 * Playwright's polling assertions: each failed poll of those takes the page's main thread for
 * milliseconds (an accessibility snapshot for the error message) in the middle of the measurement.
 */
async function releaseAt(page: Page, age: number): Promise<Release> {
  const rail = await page.getByTestId('age-slider').evaluate((el) => {
    const bench = document.querySelector('[data-testid="preview-bench"]')!;
    // A previous model's preview of the same age must not count as this one's.
    bench.removeAttribute('data-shown-age');
    const r = el.querySelector('.MuiSlider-rail')!.getBoundingClientRect();
    return { x: r.x, y: r.y + r.height / 2, width: r.width };
  });
  const shown = page.evaluate(
    (a) =>
      new Promise<void>((resolve, reject) => {
        const bench = document.querySelector('[data-testid="preview-bench"]')!;
        const timer = setTimeout(() => reject(new Error(`no preview of age ${a} within 30 s`)), 30_000);
        const check = () => {
          if (bench.getAttribute('data-shown-age') !== String(a)) return;
          observer.disconnect();
          clearTimeout(timer);
          resolve();
        };
        const observer = new MutationObserver(check);
        observer.observe(bench, { attributes: true, attributeFilter: ['data-shown-age'] });
        check();
      }),
    age,
  );
  await page.mouse.click(rail.x + (rail.width * age) / 90, rail.y);
  await shown;
  await expect(page.getByTestId('preview-bench')).toHaveAttribute('data-committed-age', String(age));
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="preview-bench"]')!;
    const img = document.querySelector('[data-testid="preview-image"]')!;
    const released = (window as unknown as { __releasedAt: number }).__releasedAt;
    const shown = Number(el.getAttribute('data-shown-at'));
    const committed = Number(el.getAttribute('data-committed-at'));
    const latency = Number(img.getAttribute('data-latency-ms'));
    return {
      ms: shown - released,
      fromCache: img.getAttribute('data-from-cache') === 'true',
      engineMs: Number(img.getAttribute('data-engine-ms')),
      releaseToRequest: committed - released,
      requestToAnswer: latency,
      answerToScreen: shown - committed - latency,
    };
  });
}

/**
 * A continuous drag (a year per pointer move, 60 -> 20 -> 60 -> end) with the real engine: the
 * intervals between frames shown while the button is down (draft previews), and release ->
 * full preview on screen.
 */
async function measureDrag(page: Page, end: number) {
  await page.evaluate(() => {
    const w = window as unknown as { __shown: { t: number; down: boolean; draft: boolean; age: number }[]; __down: boolean; __upAt: number };
    const first = w.__shown === undefined;
    w.__shown = [];
    if (!first) return;
    window.addEventListener('pointerdown', () => (w.__down = true), true);
    window.addEventListener('pointerup', (e) => {
      w.__down = false;
      w.__upAt = e.timeStamp;
    }, true);
    document.addEventListener('load', (e) => {
      const img = e.target as HTMLElement;
      if (!(img instanceof HTMLImageElement) || img.dataset.testid !== 'preview-image') return;
      const down = w.__down;
      const draft = img.dataset.draft === 'true';
      const age = Number(img.dataset.age);
      requestAnimationFrame((t) => w.__shown.push({ t, down, draft, age }));
    }, true);
  });
  const rail = await page.getByTestId('age-slider').evaluate((el) => {
    const r = el.querySelector('.MuiSlider-rail')!.getBoundingClientRect();
    return { x: r.x, y: r.y + r.height / 2, width: r.width };
  });
  const xOf = (age: number) => rail.x + (rail.width * age) / 90;
  const steps = (a: number, b: number) => Array.from({ length: Math.abs(b - a) }, (_, i) => a + Math.sign(b - a) * (i + 1));
  const path = [...steps(60, 20), ...steps(20, 60), ...steps(60, end)];
  await page.mouse.move(xOf(60), rail.y);
  await page.mouse.down();
  const t0 = await page.evaluate(() => performance.now());
  for (const age of path) await page.mouse.move(xOf(age), rail.y);
  const t1 = await page.evaluate(() => performance.now());
  await page.mouse.up();
  const preview = page.getByTestId('preview-image');
  await expect(preview).toHaveAttribute('data-age', String(end), { timeout: 30_000 });
  await expect(preview).toHaveAttribute('data-draft', 'false', { timeout: 30_000 });
  await expect
    .poll(() => page.evaluate((e) => (window as unknown as { __shown: { draft: boolean; age: number }[] }).__shown.some((s) => s.age === e && !s.draft), end))
    .toBe(true);
  const { shown, upAt } = await page.evaluate(() => {
    const w = window as unknown as { __shown: { t: number; down: boolean; draft: boolean; age: number }[]; __upAt: number };
    return { shown: w.__shown, upAt: w.__upAt };
  });
  const during = shown.filter((s) => s.down && s.t >= t0).map((s) => s.t);
  const gaps = during.slice(1).map((t, i) => t - during[i]!);
  // A full preview of `end` already shown mid-drag (a cache hit) is on screen at the release itself.
  const final = shown.find((s) => s.age === end && !s.draft)!;
  return {
    moves: path.length,
    dragMs: +(t1 - t0).toFixed(0),
    frames: during.length,
    framesPerSecond: +((during.length / (t1 - t0)) * 1000).toFixed(1),
    gaps,
    releaseToFinalMs: +Math.max(0, final.t - upAt).toFixed(1),
  };
}

/**
 * Counts the page's aging requests on the socket that have no answer yet (window.__agingOut()),
 * so a settled release can wait for the engine to be idle: a slower model's prefetch of six
 * neighbouring ages outlasts any fixed pause, and a release behind it waits for the op running.
 */
async function trackAgingRequests(page: Page) {
  await page.addInitScript(() => {
    const out = new Set<number>();
    const watched = new WeakSet<WebSocket>();
    const head = (buf: Uint8Array) => {
      const n = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0, true);
      return JSON.parse(new TextDecoder().decode(buf.subarray(4, 4 + n))) as { t: string; id: number; channel?: string };
    };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: string | BufferSource | Blob) {
      if (ArrayBuffer.isView(data)) {
        const h = head(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        if (h.t === 'req' && /^aging:(preview|estimate)$/.test(h.channel ?? '')) out.add(h.id);
      }
      if (!watched.has(this)) {
        watched.add(this);
        this.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => {
          const h = head(new Uint8Array(e.data));
          if (h.t === 'res') out.delete(h.id);
        });
      }
      return send.call(this, data);
    };
    (window as unknown as { __agingOut: () => number }).__agingOut = () => out.size;
  });
}

async function measure(page: Page, ages: readonly number[], settleMs = 0) {
  const fresh: Release[] = [];
  const cached: Release[] = [];
  for (const a of ages) {
    if (settleMs > 0) {
      await page.waitForTimeout(settleMs);
      await expect.poll(() => page.evaluate(() => (window as unknown as { __agingOut: () => number }).__agingOut()), { timeout: 30_000 }).toBe(0);
    }
    const r = await releaseAt(page, a);
    (r.fromCache ? cached : fresh).push(r);
  }
  return {
    ...stats(fresh.map((r) => r.ms)),
    engineMs: stats(fresh.map((r) => r.engineMs)),
    overheadMs: stats(fresh.map((r) => r.ms - r.engineMs)),
    phasesP50: {
      releaseToRequest: median(fresh.map((r) => r.releaseToRequest)),
      requestToAnswer: median(fresh.map((r) => r.requestToAnswer)),
      engine: median(fresh.map((r) => r.engineMs)),
      answerToScreen: median(fresh.map((r) => r.answerToScreen)),
    },
    cacheHits: cached.length,
    cacheHitMs: stats(cached.map((r) => r.ms)),
  };
}

/** Picks `model` in the model menu, as a user does, and waits for its first preview (it loads the model). */
async function pickModel(page: Page, model: ModelSummary) {
  await page.locator('[data-testid="model-picker"]').locator('..').getByRole('combobox').click();
  await page.locator(`[data-testid="model-option"][data-value="${model.id}"]`).click();
  await expect(page.getByTestId('model-picker')).toHaveValue(model.id);
  await expect(page.getByRole('listbox')).toBeHidden();
  // The menu's closing transition leaves its backdrop over the page for a moment.
  await expect(page.locator('.MuiBackdrop-root')).toHaveCount(0);
  // Another model's preview is never shown for this one: the stage shows the original until then.
  await expect(page.getByTestId('preview-image')).toHaveAttribute('data-draft', 'false', { timeout: 120_000 });
}

async function benchModel(page: Page, model: ModelSummary) {
  await pickModel(page, model);
  // First release: the face's crop at this model's size is aligned and cached (not what a release costs).
  await releaseAt(page, 66);
  const cropPx = await page.getByTestId('preview-image').evaluate((img) => (img as HTMLImageElement).naturalWidth);
  // Settled: the user looked at the last preview for a moment (the idle prefetch is done).
  // Back to back: the next release comes as soon as the last preview shows, while the engine is
  // still prefetching its neighbours (cancelled, but a running engine op finishes its work).
  const settled = await measure(page, AGES_SETTLED, SETTLE_MS);
  const backToBack = await measure(page, AGES_BACK_TO_BACK);
  const drags = [];
  // Release ages that are neither a release age above nor one of their prefetched neighbours.
  for (const end of [47, 67, 16]) drags.push(await measureDrag(page, end));
  expect(settled.n, 'most releases need a new preview from the engine').toBeGreaterThanOrEqual(AGES_SETTLED.length / 2);
  return {
    model: `${model.name} (${model.kind}, ${model.resolution} px model)`,
    cropPx,
    withinBudget: settled.p95 !== undefined && settled.p95 <= BUDGET_MS,
    settled,
    backToBack,
    drag: {
      runs: drags.map(({ gaps, ...d }) => ({ ...d, frameIntervalMs: stats(gaps) })),
      frameIntervalMs: stats(drags.flatMap((d) => d.gaps)),
      releaseToFinalMs: stats(drags.map((d) => d.releaseToFinalMs)),
    },
  };
}

test('release to preview on screen: every shipped model at the face size, and the studio around it', async ({ page, host }) => {
  test.setTimeout(900_000);
  // The load average says how much of the time was spent waiting for a core on this shared machine.
  const result: Record<string, unknown> = { budgetMs: BUDGET_MS, cores: cpus().length, loadavg1mStart: +loadavg()[0]!.toFixed(1), photo: 'one-face.jpg 640x800' };
  await page.addInitScript(() => {
    window.addEventListener('pointerup', (e) => ((window as unknown as { __releasedAt: number }).__releasedAt = e.timeStamp), true);
  });
  await trackAgingRequests(page);
  await openStudio(page, host, 'library');
  await seedPhotos(page, [fixturePhoto('one-face.jpg')]);
  const listed = await page.evaluate(() => window.studio!.models.list());
  const shipped = (listed.ok ? listed.value.models : []).filter((m) => m.origin === 'shipped').sort((a, b) => a.name.localeCompare(b.name));
  expect(shipped.map((m) => m.name), 'a fresh library offers the shipped models').toEqual(expect.arrayContaining(['engineered', 'prototype']));
  await page.getByTestId('nav-age').click();
  await expect(page.getByTestId('model-picker')).toHaveValue(/.+/);

  const models: Record<string, Awaited<ReturnType<typeof benchModel>>> = {};
  for (const m of shipped) models[m.name] = await benchModel(page, m);
  result.models = models;

  // A small request's round trip to main over the real socket: the transport's floor.
  result.socketRoundTripMs = stats(
    await page.evaluate(async () => {
      const out: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await window.studio!.system.status();
        out.push(performance.now() - t);
      }
      return out;
    }),
  );

  // The studio around the engine: the same releases answered in the page in 0 ms.
  const stubPx = models.prototype?.cropPx ?? 256;
  await stubAgingInPage(page, { size: stubPx, ages: Array.from({ length: 91 }, (_, a) => a) });
  await page.reload();
  await page.getByTestId('nav-age').click();
  if ((await page.getByTestId('model-picker').inputValue()) !== STUB_MODEL.id) {
    await pickModel(page, { ...STUB_MODEL, isBase: true } as unknown as ModelSummary);
  }
  await expect(page.getByTestId('preview-image')).toBeVisible();
  const overhead = await measure(page, AGES_SETTLED, SETTLE_MS);
  result.studioOverheadStubEngine0ms = { previewPx: stubPx, ...overhead };

  result.withinBudget = Object.values(models).every((m) => m.withinBudget);
  result.summary = Object.entries(models).map(
    ([name, m]) =>
      `slider release-to-preview ${name} at ${m.cropPx} px: settled p50 ${m.settled.p50} / p95 ${m.settled.p95} ms (engine p50 ${m.settled.engineMs.p50}), back to back p50 ${m.backToBack.p50} / p95 ${m.backToBack.p95} ms; ${m.withinBudget ? 'within' : 'over'} the ${BUDGET_MS} ms budget`,
  );
  result.loadavg1mEnd = +loadavg()[0]!.toFixed(1);
  console.log(`age-bench ${JSON.stringify(result)}`);
  for (const line of result.summary as string[]) console.log(line);
  mkdirSync('tests/artifacts', { recursive: true });
  writeFileSync('tests/artifacts/age-bench.json', `${JSON.stringify(result, null, 2)}\n`);
  expect(overhead.n).toBeGreaterThan(0);
});
