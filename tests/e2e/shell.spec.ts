/**
 * End to end through the browser host in Chromium: the studio shell loads, a typed request goes
 * renderer -> WebSocket -> main -> engine process and back, and killing the engine mid-request
 * gives the renderer a clear error while the next request works.
 */
import { mkdirSync } from 'node:fs';
import { expect, test as base } from '@playwright/test';
import { launchBrowserHost, type LaunchedHost } from './browser-host';

const test = base.extend<object, { host: LaunchedHost }>({
  host: [
    // Playwright fixtures must destructure their (here unused) dependencies.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const host = await launchBrowserHost('e2e-shell');
      await use(host);
      await host.stop();
    },
    { scope: 'worker' },
  ],
});

test('the shell opens and pings the engine through main', async ({ page, host }) => {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Face Aging Studio' })).toBeVisible();
  // The token leaves the address bar as soon as the client has read it.
  await expect.poll(() => page.url()).not.toContain('token=');
  for (const section of ['Library', 'Age', 'Compare', 'Export', 'Training', 'Settings']) {
    await expect(page.getByRole('navigation').getByText(section, { exact: true })).toBeVisible();
  }
  const chip = page.getByTestId('engine-status');
  await expect(chip).toHaveAttribute('data-backend', /^(tensorflow-gpu|tensorflow|wasm|cpu)$/);
  const backend = await chip.getAttribute('data-backend');
  await expect(chip).toContainText(`Engine: ${backend}`);

  const pong = await page.evaluate(() => window.studio!.system.ping({ echo: 'from chromium' }));
  expect(pong).toMatchObject({ ok: true, value: { echo: 'from chromium', backend } });
  const status = await page.evaluate(() => window.studio!.system.status());
  expect(status.ok && status.value.pid).toBe(pong.ok && pong.value.enginePid);

  // Invalid payloads are refused by main's validation, not by the client.
  const bad = await page.evaluate(() =>
    (window.studio!.system.ping as (r: unknown) => Promise<unknown>)({ delayMs: 'soon' }),
  );
  expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });

  await page.getByTestId('nav-settings').click();
  await expect(page).toHaveURL(/#\/settings$/);
  mkdirSync('tests/artifacts', { recursive: true });
  await page.screenshot({ path: 'tests/artifacts/shell.png', fullPage: true });
});

test('killing the engine mid-request gives a clear error and the next request works', async ({ page, host }) => {
  await page.goto(host.url);
  const chip = page.getByTestId('engine-status');
  await expect(chip).toHaveAttribute('data-state', 'ready');
  const before = await page.evaluate(() => window.studio!.system.status());
  expect(before.ok).toBe(true);
  const pid = before.ok ? before.value.pid : null;
  expect(pid).toBeGreaterThan(0);

  // A test-only slow request (the host runs with --test-hooks), left pending inside the page.
  await page.evaluate(() => {
    (window as unknown as { slow: Promise<unknown> }).slow = window.studio!.system.ping({ delayMs: 30_000 });
  });
  // A ping sent after it travels the same ordered channels (page -> main -> engine) and the engine
  // serves requests concurrently: once the ping is answered, the slow request is in the engine.
  const behind = await page.evaluate(() => window.studio!.system.ping({ echo: 'behind the slow one' }));
  expect(behind).toMatchObject({ ok: true, value: { echo: 'behind the slow one' } });
  process.kill(pid!, 'SIGKILL');
  const crashed = await page.evaluate(() => (window as unknown as { slow: Promise<unknown> }).slow);
  expect(crashed).toMatchObject({ ok: false, error: { code: 'engine-crashed' } });

  // The shell notices the restart through events and pings the new engine.
  await expect(chip).toHaveAttribute('data-state', 'ready');
  const next = await page.evaluate(() => window.studio!.system.ping({ echo: 'after crash' }));
  expect(next).toMatchObject({ ok: true, value: { echo: 'after crash' } });
  expect(next.ok && next.value.enginePid).not.toBe(pid);
  const after = await page.evaluate(() => window.studio!.system.status());
  expect(after.ok && after.value.restarts).toBe(1);
  await expect(chip).toHaveAttribute('data-backend', /\w+/);
});

test('the page refuses to run without the launch token', async ({ page, host }) => {
  await page.goto(`${host.origin}/`);
  await expect(page.getByRole('alert')).toContainText('#token=');
});
