/**
 * Export story on the real host: empty state, picking photos and ages, format and quality,
 * layouts, the location checkbox off, the destination (the browser host has no native dialog, so
 * a download), and the readable answer from main while export is not available.
 */
import { expect, openStudio, seedPhotos, shot, test } from './ui-fixtures';
import { stubAging } from './aging-stub';

test.use({ colorScheme: 'dark' });

test('export form and main\'s readable answer', async ({ page, host, photos }) => {
  await stubAging(page, { answerPreviews: false });
  await openStudio(page, host, 'export');
  await expect(page.getByTestId('export-empty')).toBeVisible();
  // Two photos keep this quick: import runs face detection in the engine.
  await seedPhotos(page, photos.slice(0, 2));
  await page.getByTestId('nav-library').click();
  // Select two photos in the library, then Ctrl+E opens export with them.
  await page.getByTestId('photo-card').nth(0).click();
  await page.getByTestId('photo-card').nth(1).click({ modifiers: ['Control'] });
  await page.getByTestId('photo-total').click();
  await page.keyboard.press('Control+e');
  await expect(page.getByTestId('section-export')).toBeVisible();
  await expect(page.locator('[data-testid="picker-photo"][aria-pressed="true"]')).toHaveCount(2);

  await page.getByTestId('export-age-30').click();
  await page.getByTestId('export-age-80').click();
  await page.getByTestId('format-webp').click();
  await expect(page.getByTestId('keep-location')).not.toBeChecked();
  await expect(page.getByTestId('export-summary')).toContainText('from 2 photos at');
  await page.getByTestId('layout-animated-timeline').click();
  await expect(page.getByTestId('format-jpeg')).toBeDisabled();
  await page.getByTestId('layout-files').click();
  await shot(page, 'export-form');

  await page.getByTestId('export-start').click();
  const progress = page.getByTestId('export-progress');
  await expect(progress).toBeVisible();
  const probe = await page.evaluate(() => window.studio!.export.list());
  if (!probe.ok && probe.error.code === 'not-available-yet') {
    await expect(progress).toHaveAttribute('data-phase', 'failed');
    await expect(progress.getByTestId('error-notice')).toContainText('Export is not available yet');
  } else {
    await expect(progress).toHaveAttribute('data-phase', /running|done|failed/);
  }
  await shot(page, 'export-started');
});

test('stub export engine: progress, cancel, and a browser download of the result', async ({ page, host, photos }) => {
  // export:* answered at the socket (main has no export handler yet); everything else is real.
  const sent: string[] = [];
  const job = (exportId: string, state: string, done: number, outputs: string[] = []) => ({
    exportId, state, done, total: 4, createdAt: '2026-01-01T00:00:00.000Z', outputs, error: null, currentName: outputs.at(-1) ?? null,
  });
  await stubAging(page, {
    answerPreviews: false,
    handle: (channel, request, reply, push) => {
      if (!channel.startsWith('export:') || channel === 'export:list') return false;
      sent.push(channel);
      const id = `exp-${sent.filter((c) => c === 'export:start').length}`;
      if (channel === 'export:start') {
        reply({ exportId: id });
        // The first export runs to the end; the second stops after one file until cancelled.
        setTimeout(() => push('export:progress', job(id, 'running', 1, ['a-30.jpg'])), 100);
        if (id === 'exp-1') {
          setTimeout(() => push('export:progress', job(id, 'running', 3, ['a-30.jpg', 'a-60.jpg', 'b-30.jpg'])), 200);
          setTimeout(() => push('export:progress', job(id, 'done', 4, ['a-30.jpg', 'a-60.jpg', 'b-30.jpg', 'b-60.jpg'])), 300);
        }
      } else if (channel === 'export:cancel') {
        reply({ cancelled: true });
        push('export:progress', job(String(request.exportId), 'cancelled', 1, ['a-30.jpg']));
      } else if (channel === 'export:result') {
        reply({ files: [{ name: 'a-30.jpg', mime: 'image/jpeg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) }] });
      } else return false;
      return true;
    },
  });
  await openStudio(page, host, 'library');
  await seedPhotos(page, photos.slice(0, 2));
  await page.getByTestId('nav-export').click();
  await page.getByTestId('picker-photo').nth(1).click();
  const download = page.waitForEvent('download');
  await page.getByTestId('export-start').click();
  expect((await download).suggestedFilename()).toBe('a-30.jpg');
  await expect(page.getByTestId('export-progress')).toHaveAttribute('data-phase', 'done');
  await expect(page.getByTestId('export-progress')).toContainText('4 file(s) saved to your browser downloads');
  await shot(page, 'export-done');

  // A second export, cancelled while running.
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-progress')).toContainText('Writing 1 of 4');
  await page.getByTestId('export-cancel').click();
  await expect(page.getByTestId('export-progress')).toHaveAttribute('data-phase', 'cancelled');
  expect(sent).toContain('export:cancel');
});
