/**
 * Benchmark (prints numbers, asserts the budget): from releasing the age slider to the new
 * preview on screen (decoded and one animation frame later), target at most 150 ms at a 128 px
 * model. While main has no aging:preview handler the engine is the socket stub from
 * tests/e2e/aging-stub.ts answering 128 px images after a simulated engine time, so the number
 * measures everything the studio adds around the engine: pointer event, React, the scheduler,
 * the socket round trip through the real browser host process, decoding and paint. When main
 * answers previews, the spec also measures the real engine. Results: tests/artifacts/age-bench.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { cpus, loadavg } from 'node:os';
import { STUB_MODEL, stubAging, warmStubImages } from './aging-stub';
import { expect, openStudio, seedPhotos, test } from './ui-fixtures';

const AGES = [12, 27, 43, 71, 88, 19, 35, 50, 80, 4, 63, 31];
const BUDGET_MS = 150;

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, p50: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), max: +s[s.length - 1]!.toFixed(1), mean: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(1) };
}

/** Click the slider at `age` (a press and release) and return release -> preview on screen, in ms. */
async function releaseAt(page: Page, age: number): Promise<{ ms: number; fromCache: boolean }> {
  const box = (await page.getByTestId('age-slider').boundingBox())!;
  const rail = await page.getByTestId('age-slider').evaluate((el) => {
    const r = el.querySelector('.MuiSlider-rail')!.getBoundingClientRect();
    return { x: r.x, width: r.width };
  });
  await page.mouse.click(rail.x + (rail.width * age) / 90, box.y + box.height / 2);
  await expect(page.getByTestId('preview-bench')).toHaveAttribute('data-shown-age', String(age), { timeout: 10_000 });
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="preview-bench"]')!;
    const img = document.querySelector('[data-testid="preview-image"]')!;
    const w = window as unknown as { __releasedAt: number };
    return { ms: Number(el.getAttribute('data-shown-at')) - w.__releasedAt, fromCache: img.getAttribute('data-from-cache') === 'true' };
  });
}

async function prepare(page: Page, host: Parameters<typeof openStudio>[1], photos: string[]) {
  await page.addInitScript(() => {
    window.addEventListener('pointerup', (e) => ((window as unknown as { __releasedAt: number }).__releasedAt = e.timeStamp), true);
  });
  await openStudio(page, host, 'library');
  await seedPhotos(page, photos.slice(0, 1));
  await page.getByTestId('nav-age').click();
}

test('release to preview on screen, 128 px model', async ({ page, host, photos }) => {
  test.setTimeout(180_000);
  // The machine is shared; the load average says how much of the time is waiting for a core.
  const result: Record<string, unknown> = { budgetMs: BUDGET_MS, resolution: 128, cores: cpus().length, loadavg1mStart: +loadavg()[0]!.toFixed(1) };
  await warmStubImages([...AGES, 60, ...AGES.flatMap((a) => [a - 5, a - 2, a - 1, a + 1, a + 2, a + 5]), 55, 58, 59, 61, 62, 65].filter((a) => a >= 0 && a <= 90));

  // Real engine first, when main can age faces.
  const models = await (async () => {
    await prepare(page, host, photos);
    return page.evaluate(() => window.studio!.models.list());
  })();
  const real = models.ok ? models.value.models.find((m) => m.resolution === 128) : undefined;
  if (real) {
    const probe = await page.evaluate((modelId) => window.studio!.aging.preview({ requestId: 'bench-probe', photoId: '1', modelId, targetAge: 40 }), real.id);
    if (probe.ok) {
      await page.getByTestId('model-picker').locator('..').click();
      await page.getByRole('option', { name: new RegExp(real.name) }).click();
      const ms: number[] = [];
      for (const a of AGES) {
        const r = await releaseAt(page, a);
        if (!r.fromCache) ms.push(r.ms);
      }
      result.realEngine = { model: real.name, ...stats(ms) };
    } else result.realEngine = { unavailable: probe.error.code, message: probe.error.message };
  } else result.realEngine = { unavailable: 'no 128 px model in the library' };

  // The studio around the engine, with stub engines of 0 ms and 60 ms.
  for (const engineMs of [0, 60]) {
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await stubAging(page, { engineMs });
    await page.reload();
    await page.getByTestId('nav-age').click();
    await expect(page.getByTestId('model-picker')).toHaveValue(STUB_MODEL.id);
    await expect(page.getByTestId('preview-image')).toBeVisible();
    const ms: number[] = [];
    for (const a of AGES) {
      const r = await releaseAt(page, a);
      expect(r.fromCache).toBe(false);
      ms.push(r.ms);
    }
    const cached = await releaseAt(page, AGES[0]!);
    result[`stubEngine${engineMs}ms`] = { ...stats(ms), cacheHitMs: +cached.ms.toFixed(1), cacheHit: cached.fromCache };
  }

  result.loadavg1mEnd = +loadavg()[0]!.toFixed(1);
  console.log(`age-bench ${JSON.stringify(result)}`);
  mkdirSync('tests/artifacts', { recursive: true });
  writeFileSync('tests/artifacts/age-bench.json', `${JSON.stringify(result, null, 2)}\n`);
  // Budget on the median: p95 on this shared 2-core machine mostly measures other processes.
  const overhead = result.stubEngine0ms as { p50: number };
  expect(overhead.p50).toBeLessThan(BUDGET_MS);
  const realRun = result.realEngine as { p95?: number };
  if (realRun.p95 !== undefined) expect((result.realEngine as { p50: number }).p50).toBeLessThanOrEqual(BUDGET_MS);
});
