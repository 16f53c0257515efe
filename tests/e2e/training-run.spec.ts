/**
 * A real fine-tuning run from the dashboard: the real browser host, main core, engine and forked
 * training child. The library is seeded before the host opens it with a tiny real CycleGAN base
 * (32 px, initialised and exported here as the app exports models: no shipped CycleGAN exists
 * yet); two real portraits are the person's photos. A 3-step run completes into a new fine-tuned
 * version of the base.
 *
 * Live progress, pause/resume across a reload and cancel on a real run: training-live.spec.ts.
 */
import { seedTinyBase } from './tiny-base';
import { expect, fixturePhoto, openStudio, seedPhotos, shot, test } from './ui-fixtures';

test.use({ colorScheme: 'dark' });

test('real fine-tuning run from the dashboard: starts, trains, completes into a new version of its base', async ({ page, host }) => {
  test.setTimeout(120_000);
  // The host opens its library on the first request; until then it is ours to seed.
  await seedTinyBase(host.dir, 32);
  await openStudio(page, host, 'library');
  await seedPhotos(page, [fixturePhoto('one-face.jpg'), fixturePhoto('grayscale.jpg')]);
  await page.getByTestId('nav-training').click();

  await page.getByTestId('open-start-run').click();
  const dialog = page.getByTestId('start-run-dialog');
  await dialog.getByLabel('Start from').click();
  await page.getByRole('option', { name: /Tiny CycleGAN/ }).click();
  await dialog.getByTestId('run-steps').fill('3');
  await dialog.getByLabel('Name (optional)').fill('Me, short run');
  await dialog.getByTestId('run-start').click();
  await expect(dialog).toBeHidden();
  const detail = page.getByTestId('run-detail');
  await expect(detail).toContainText('Me, short run');
  await expect(detail.getByTestId('run-state')).toHaveText(/queued|running/);
  await shot(page, 'training-real-running');
  await expect(detail.getByTestId('run-state')).toHaveText('completed', { timeout: 90_000 });
  await expect(page.getByTestId('run-step')).toHaveText('3 / 3');
  await expect(page.getByTestId('run-item')).toHaveCount(1);

  // The new version is a fine-tuned CycleGAN whose lineage names the base; the base is untouched.
  const models = await page.evaluate(() => window.studio!.models.list());
  expect(models.ok).toBe(true);
  const list = models.ok ? models.value.models : [];
  const tuned = list.find((m) => m.origin === 'fine-tuned');
  expect(tuned).toMatchObject({ kind: 'cyclegan', name: 'Me, short run', resolution: 32 });
  expect(tuned!.lineage.map((l) => l.name)).toContain('Tiny CycleGAN');
  expect(list.filter((m) => m.name === 'Tiny CycleGAN' && m.origin === 'shipped')).toHaveLength(1);
  await shot(page, 'training-real-completed');
});
