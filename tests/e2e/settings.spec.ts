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

  await page.getByTestId('move-library').click();
  await expect(page.getByTestId('snackbar')).toContainText('Moving the library failed');
  await shot(page, 'settings');

  await page.locator('body').click({ position: { x: 600, y: 700 } });
  await page.keyboard.press('Shift+?');
  await expect(page.getByTestId('shortcuts-dialog')).toContainText('Target age +10');
  await shot(page, 'shortcuts');
});
