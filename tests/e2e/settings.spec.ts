/**
 * Settings and shortcuts story on the real host: what the engine detected, backend and threads,
 * the library location (moving it needs the desktop app: a readable message here), the theme,
 * and the shortcut sheet on "?".
 */
import { join } from 'node:path';
import { expect, openStudio, shot, test } from './ui-fixtures';

test.use({ colorScheme: 'dark' });

test('settings show the detected engine and save choices', async ({ page, host }) => {
  await openStudio(page, host, 'settings');
  const status = await page.evaluate(() => window.studio!.system.status());
  expect(status.ok).toBe(true);
  await expect(page.getByTestId('detected-backend')).toHaveText(/^(tensorflow-gpu|tensorflow|wasm|cpu)$/);
  // The library the host was started with (--library), not the default under its config folder.
  await expect(page.getByTestId('library-dir')).toHaveText(join(host.dir, 'library'));

  // The whole window follows the theme chosen here (the shell shares these settings).
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const darkBg = await bg();
  await page.getByTestId('theme-light').click();
  await expect.poll(bg).not.toBe(darkBg);
  await expect.poll(async () => (await page.evaluate(() => window.studio!.settings.get())).ok && (await page.evaluate(() => window.studio!.settings.get()))).toMatchObject({ value: { theme: 'light' } });
  await page.getByTestId('theme-dark').click();
  await expect.poll(async () => page.evaluate(async () => { const r = await window.studio!.settings.get(); return r.ok ? r.value.theme : null; })).toBe('dark');
  await expect.poll(bg).toBe(darkBg);

  // No native folder dialog in the browser host: no Move button that can only fail, but how to do it.
  await expect(page.getByTestId('move-library')).toHaveCount(0);
  await expect(page.getByTestId('library-dir-web')).toContainText('--library DIR');

  // Choosing a backend this machine cannot start: the engine restarts on another, and says why.
  await page.getByTestId('backend-select').locator('..').getByRole('combobox').click();
  await page.getByRole('option', { name: /^tensorflow-gpu/ }).click();
  const engine = await page.evaluate(() => window.studio!.system.status());
  const gpu = engine.ok && engine.value.backend === 'tensorflow-gpu';
  if (!gpu) {
    await expect(page.getByTestId('backend-fallback')).toContainText('You chose tensorflow-gpu, but the engine runs on', { timeout: 60_000 });
    await expect(page.getByTestId('backend-fallback')).toContainText('tfjs-node-gpu');
  }
  await shot(page, 'settings');

  await page.locator('body').click({ position: { x: 600, y: 700 } });
  await page.keyboard.press('Shift+?');
  await expect(page.getByTestId('shortcuts-dialog')).toContainText('Target age +10');
  await shot(page, 'shortcuts');
});
