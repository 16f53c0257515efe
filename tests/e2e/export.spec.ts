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
  await seedPhotos(page, photos.slice(0, 3));
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
