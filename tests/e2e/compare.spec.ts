/**
 * Compare story. Real host: empty state, the full-resolution photo in both panes with one shared
 * zoom and pan, the wipe (react-compare-slider), and the readable answer while aging is not
 * available. Stub aging engine (tests/e2e/aging-stub.ts): the aged region pasted into the
 * "after" side and the age strip at six ages.
 */
import { stubAging } from './aging-stub';
import { expect, openStudio, seedPhotos, shot, test } from './ui-fixtures';

test.use({ colorScheme: 'dark' });

test('compare on the real host: synced zoom and pan, wipe, readable errors', async ({ page, host, photos }) => {
  await stubAging(page, { answerPreviews: false });
  await openStudio(page, host, 'compare');
  await expect(page.getByTestId('compare-empty')).toBeVisible();
  await seedPhotos(page, photos.slice(0, 2));
  await page.reload();
  await page.getByTestId('nav-compare').click();
  const before = page.getByTestId('before-layer');
  const after = page.getByTestId('after-layer');
  await expect(before).toBeVisible();
  await expect(after).toBeVisible();
  const fit = await before.getAttribute('data-scale');

  // Zoom with the wheel over the left pane: both panes follow.
  const pane = page.getByTestId('before-pane');
  const box = (await pane.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -600);
  await expect(before).not.toHaveAttribute('data-scale', fit!);
  await expect.poll(async () => (await after.getAttribute('style')) === (await before.getAttribute('style'))).toBe(true);
  const t0 = await before.evaluate((el) => getComputedStyle(el).transform);
  // Pan by dragging the right pane: the left one moves identically.
  const right = (await page.getByTestId('after-pane').boundingBox())!;
  await page.mouse.move(right.x + right.width / 2, right.y + right.height / 2);
  await page.mouse.down();
  await page.mouse.move(right.x + right.width / 2 - 80, right.y + right.height / 2 - 40, { steps: 5 });
  await page.mouse.up();
  const t1 = await before.evaluate((el) => getComputedStyle(el).transform);
  expect(t1).not.toBe(t0);
  expect(await after.evaluate((el) => getComputedStyle(el).transform)).toBe(t1);
  // Full resolution: one photo pixel per screen pixel.
  await page.getByTestId('zoom-100').click();
  await expect(before).toHaveAttribute('data-scale', '1.0000');
  await expect(page.getByTestId('zoom-level')).toHaveText('100%');
  await page.getByTestId('zoom-fit').click();

  // The engine's answer is shown on the "after" side in words.
  const notice = page.getByTestId('error-notice').first();
  await expect(notice).toBeVisible();
  await shot(page, 'compare-side');

  await page.getByTestId('mode-wipe').click();
  await expect(page.getByTestId('compare-wipe')).toBeVisible();
  await expect(page.getByRole('slider').first()).toBeVisible();
  await shot(page, 'compare-wipe');

  await page.getByTestId('run-strip').click();
  await expect(page.getByTestId('age-strip').getByTestId('error-notice')).toBeVisible();
});

test('stub aging engine: aged region pasted into the photo, age strip of six ages', async ({ page, host, photos }) => {
  const stub = await stubAging(page, { engineMs: 30 });
  await openStudio(page, host, 'library');
  await seedPhotos(page, photos.slice(0, 2));
  await page.getByTestId('nav-compare').click();
  await expect(page.getByTestId('after-layer-overlay')).toBeVisible();
  await page.getByTestId('run-strip').click();
  await expect(page.getByTestId('strip-frame')).toHaveCount(6);
  expect(stub.strips).toBe(1);
  await page.getByTestId('mode-wipe').click();
  await expect(page.getByTestId('after-layer-overlay')).toBeVisible();
  await shot(page, 'compare-stub-wipe');
});
