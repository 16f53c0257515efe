/**
 * Training story on the real host: empty state, run history from main (training:list), the
 * start-run dialog starting from the shipped CycleGAN, and the guided fine-tune with its identity
 * check (photos without a usable face listed and skipped).
 */
import { expect, openStudio, seedPhotos, shot, test } from './ui-fixtures';

test.use({ colorScheme: 'dark' });

test('training dashboard, start dialog and guided fine-tune', async ({ page, host, photos }) => {
  await openStudio(page, host, 'training');
  const runs = await page.evaluate(() => window.studio!.training.list());
  expect(runs.ok).toBe(true);
  if (runs.ok && runs.value.runs.length === 0) await expect(page.getByTestId('training-empty')).toBeVisible();
  await shot(page, 'training-empty');

  await page.getByTestId('open-start-run').click();
  const dialog = page.getByTestId('start-run-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('run-steps').fill('50');
  await seedPhotos(page, photos.slice(0, 2));
  // A fresh library has the shipped CycleGAN (assets/models/cyclegan): the dialog starts from it at
  // its own resolution (the studio fine-tunes a model it has; from scratch is the command line's).
  await expect(dialog.getByLabel('Start from')).toContainText('CycleGAN');
  await expect(dialog.getByLabel('Start from')).toContainText('64 px');
  await expect(dialog.getByTestId('no-base')).toHaveCount(0);
  await shot(page, 'training-start');
  await page.keyboard.press('Escape');

  await page.getByTestId('open-finetune').click();
  const ft = page.getByTestId('finetune-dialog');
  await expect(ft.getByTestId('finetune-photo')).toHaveCount(2);
  await ft.getByTestId('finetune-photo').nth(0).click();
  await ft.getByTestId('finetune-photo').nth(1).click();
  await ft.getByTestId('finetune-next').click();
  const check = ft.getByTestId('identity-check');
  await expect(check).toContainText('Pick at least 10 photos');
  // Photos the library found no usable face in are listed as skipped.
  const list = await page.evaluate(() => window.studio!.photos.list({}));
  const faceless = list.ok ? list.value.items.filter((p) => !p.faceCount).length : 0;
  if (faceless > 0) await expect(ft.getByTestId('finetune-skipped').getByRole('listitem')).toHaveCount(faceless);
  await shot(page, 'training-finetune-check');
  await ft.getByTestId('finetune-next').click();
  await expect(ft.getByTestId('finetune-start')).toBeDisabled();
});
