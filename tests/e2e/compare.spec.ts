/**
 * Compare story against the real main core and the real engine: a fresh library (with the shipped
 * prototype model, 128 px) and a real portrait (one-face.jpg). The "after" side shows the aged
 * face pasted back into the full-resolution photo and differs from "before" there; both panes
 * share zoom and pan; the wipe (react-compare-slider) shows the same; the age strip fills six
 * real frames that differ from each other; a photo without a face answers in words. No stub.
 */
import { expect, fixturePhoto, imageDifference, openStudio, pickerPhoto, seedPhotos, shot, test } from './ui-fixtures';

test.use({ colorScheme: 'dark' });

test('compare on the real engine: aged face pasted back, synced zoom and pan, wipe, age strip', async ({ page, host }) => {
  test.setTimeout(120_000);
  await openStudio(page, host, 'compare');
  await expect(page.getByTestId('compare-empty')).toBeVisible();
  const [faceId, facelessId] = await seedPhotos(page, [fixturePhoto('one-face.jpg'), fixturePhoto('no-face.jpg')]);
  await page.reload();
  await page.getByTestId('nav-compare').click();
  await expect(page.getByTestId('model-picker')).toHaveValue(/.+/);
  await pickerPhoto(page, faceId!).click();

  const before = page.getByTestId('before-layer');
  const after = page.getByTestId('after-layer');
  await expect(before).toBeVisible();
  // Full resolution on both sides: the layers are the photo's own size in content pixels.
  await expect(before).toHaveCSS('width', '640px');
  await expect(after).toHaveCSS('height', '800px');
  const overlay = page.getByTestId('after-layer-overlay');
  await expect(overlay).toBeVisible({ timeout: 60_000 });
  // The pasted region lies over the face and is a real change of it, not a copy and not noise.
  const region = await overlay.evaluate((el) => {
    const s = (el as HTMLElement).style;
    return { x: parseFloat(s.left), y: parseFloat(s.top), width: parseFloat(s.width), height: parseFloat(s.height) };
  });
  expect(region.width).toBeGreaterThan(100);
  expect(region.x).toBeLessThan(300);
  expect(region.x + region.width).toBeGreaterThan(400);
  const changed = await imageDifference(page, '[data-testid="before-layer"] > img', '[data-testid="after-layer-overlay"]', region);
  expect(changed).toBeGreaterThan(1);
  expect(changed).toBeLessThan(60);
  const fit = await before.getAttribute('data-scale');
  // It opens framed on the face, not on the whole photo at a small scale.
  const paneBox = (await page.getByTestId('before-pane').boundingBox())!;
  const natural = await before.locator('img').first().evaluate((img: HTMLImageElement) => ({ w: img.naturalWidth, h: img.naturalHeight }));
  const wholeScale = Math.min(paneBox.width / natural.w, paneBox.height / natural.h);
  expect(Number(fit)).toBeGreaterThan(wholeScale * 1.2);

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
  await shot(page, 'compare-side');

  await page.getByTestId('mode-wipe').click();
  await expect(page.getByTestId('compare-wipe')).toBeVisible();
  await expect(page.getByRole('slider').first()).toBeVisible();
  await expect(overlay).toBeVisible();

  // The age strip: six real frames of the same face, streamed in, each a different age.
  await page.getByTestId('run-strip').click();
  const frames = page.getByTestId('strip-frame');
  await expect(frames).toHaveCount(6, { timeout: 60_000 });
  // A frame is a shortcut to its age: clicking it moves the comparison there.
  const pickAge = Number((await frames.nth(1).getAttribute('alt'))!.replace('Age ', ''));
  await page.getByTestId('strip-pick').nth(1).click();
  await expect(page.getByText(`Age ${pickAge}`, { exact: true }).first()).toBeVisible();
  await expect(page.getByTestId('run-strip')).toHaveText('Regenerate');
  await expect(frames.first()).toHaveAttribute('alt', 'Age 10');
  const youngOld = await imageDifference(page, '[data-testid="strip-frame"][alt="Age 10"]', '[data-testid="strip-frame"][alt="Age 85"]');
  expect(youngOld).toBeGreaterThan(2);
  await shot(page, 'compare-wipe');

  // A photo without a face: the "after" side says so in words, the strip cannot be aged.
  await pickerPhoto(page, facelessId!).click();
  await page.getByTestId('mode-side').click();
  const notice = page.getByTestId('after-pane').getByTestId('error-notice');
  await expect(notice).toHaveAttribute('data-code', 'no-face');
  await expect(notice).toContainText('No face was found in this photo');
  // The strip of the other photo is gone, and there is nothing to strip here.
  await expect(frames).toHaveCount(0);
  await expect(page.getByTestId('run-strip')).toBeDisabled();
  await shot(page, 'compare-no-face');
});
