/**
 * Library story: empty state, import through the file picker (the browser host has no native
 * dialog, so the UI falls back to <input type=file>), a folder input and drag and drop, progress
 * and per-file errors, the grid with age and face count, search, delete with undo.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { expect, openStudio, shot, test } from './ui-fixtures';

test('a new user imports photos, searches, deletes and undoes', async ({ page, host, photos }) => {
  await openStudio(page, host, 'library');
  await expect(page.getByTestId('library-empty')).toBeVisible();
  await expect(page.getByTestId('library-empty')).toContainText('Drag photos or whole folders here');
  await shot(page, 'library-empty');

  // A text file and a broken JPEG go along with the real photos: each gets its own error.
  const notImage = join(host.dir, 'notes.txt');
  writeFileSync(notImage, 'not a photo');
  const broken = join(host.dir, 'broken.jpg');
  writeFileSync(broken, Buffer.from('this is not really a jpeg'));
  const picked = photos.slice(0, 3);

  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('import-files').click();
  await (await chooser).setFiles([...picked, notImage, broken]);

  await expect(page.getByTestId('import-summary')).toBeVisible();
  await expect(page.getByTestId('import-summary')).toContainText(`${picked.length} photos imported`);
  const errors = page.getByTestId('import-error');
  await expect(errors).toHaveCount(2);
  await expect(errors.filter({ hasText: 'notes.txt' })).toContainText('not an image file');
  await expect(errors.filter({ hasText: 'broken.jpg' })).toBeVisible();
  await expect(page.getByTestId('photo-card')).toHaveCount(picked.length);
  // Every card shows an age and a face count (pending until detection runs in the engine).
  await expect(page.getByTestId('photo-age').first()).toBeVisible();
  await expect(page.getByTestId('photo-faces').first()).toHaveText(/face/);
  await expect(page.locator('[data-testid="photo-card"] img').first()).toBeVisible();
  await shot(page, 'library-imported');

  // Search by file name.
  const target = picked[0]!.split('/').pop()!;
  await page.getByTestId('photo-search').fill(target.replace(/\.\w+$/, ''));
  await expect(page.getByTestId('photo-card')).toHaveCount(1);
  await page.getByTestId('photo-search').fill('zz-no-such-photo');
  await expect(page.getByTestId('search-empty')).toBeVisible();
  await page.getByTestId('photo-search').fill('');
  await expect(page.getByTestId('photo-card')).toHaveCount(picked.length);

  // Delete with the keyboard, then undo from the snackbar.
  await page.getByTestId('photo-card').first().click();
  await expect(page.getByTestId('photo-card').first()).toHaveAttribute('data-selected', 'true');
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('photo-card')).toHaveCount(picked.length - 1);
  await expect(page.getByTestId('snackbar')).toContainText('Deleted 1 photo');
  await shot(page, 'library-deleted-undo');
  await page.getByTestId('snackbar-action').click();
  await expect(page.getByTestId('photo-card')).toHaveCount(picked.length);

  // Tag a photo (training can pick photos by tag).
  await page.getByTestId('photo-card').nth(1).click();
  await page.getByTestId('tag-selected').click();
  await page.getByTestId('tag-input').fill('grandma');
  await page.getByTestId('tag-apply').click();
  await expect(page.getByTestId('photo-card').nth(1).getByTestId('photo-tag')).toHaveText('grandma');
});

test('Ctrl+O imports from any screen', async ({ page, host, photos }) => {
  await openStudio(page, host, 'age');
  await page.getByTestId('age-empty').click();
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Control+o');
  await expect(page.getByTestId('section-library')).toBeVisible();
  await (await chooser).setFiles(photos.slice(0, 1));
  await expect(page.getByTestId('photo-card')).toHaveCount(1);
});

test('folders and drag and drop import with a progress bar', async ({ page, host, photos }) => {
  await openStudio(page, host, 'library');
  await expect(page.getByTestId('library-empty')).toBeVisible();

  // Drop two files onto the library (the DataTransfer is built inside the page, as a real drop is).
  const dropped = photos.slice(0, 2).map((f) => ({ name: f.split('/').pop()!, data: [...readFileSync(f)] }));
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([new Uint8Array(f.data)], f.name, { type: 'image/jpeg' }));
    const zone = document.querySelector('[data-testid="library-drop-zone"]')!;
    zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, dropped);
  await expect(page.getByTestId('import-summary')).toContainText('2 photos imported');
  await expect(page.getByTestId('photo-card')).toHaveCount(2);

  // A whole folder (with a subfolder) through the folder input (webkitdirectory): duplicates are recognised.
  const folder = join(host.dir, 'holiday');
  mkdirSync(join(folder, 'day-2'), { recursive: true });
  photos.forEach((f, i) => copyFileSync(f, join(folder, i % 2 ? 'day-2' : '', f.split('/').pop()!)));
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect(page.getByTestId('import-summary')).toBeVisible();
  await expect(page.getByTestId('import-summary')).toContainText('already in the library');
  await expect(page.getByTestId('photo-card')).toHaveCount(photos.length);
  await shot(page, 'library-folder');
});

test('import: progress photo by photo, no empty-library message meanwhile; Enter creates one project', async ({ page, host }) => {
  await openStudio(page, host, 'library');
  await expect(page.getByTestId('library-empty')).toContainText('Your library is empty');
  // Every text the progress line shows, and whether the empty message was up at the same time.
  await page.evaluate(() => {
    const w = window as unknown as { __progress: { text: string; empty: boolean }[] };
    w.__progress = [];
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="import-progress"][data-running="true"]');
      const text = el?.textContent ?? '';
      if (text && w.__progress.at(-1)?.text !== text) w.__progress.push({ text, empty: !!document.querySelector('[data-testid="library-empty"]') });
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const faces = resolve('tests/fixtures/faces');
  const files = readdirSync(faces).filter((f) => f.endsWith('.jpg')).slice(0, 6).map((f) => join(faces, f));
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('import-summary')).toContainText('6 photos imported', { timeout: 60_000 });
  const seen = await page.evaluate(() => (window as unknown as { __progress: { text: string; empty: boolean }[] }).__progress);
  const counts = seen.map((s) => Number(/Importing (\d+) of/.exec(s.text)?.[1] ?? -1));
  // The bar moved photo by photo inside the one request: intermediate counts were on screen.
  expect(counts.filter((n) => n > 0 && n < 6).length, seen.map((s) => s.text).join(' | ')).toBeGreaterThanOrEqual(2);
  expect(seen.some((s) => s.empty), 'the empty-library message stayed up during the import').toBe(false);

  // Enter in "New project": one project is created and the dialog stays closed.
  await page.getByTestId('new-project').click();
  await page.getByTestId('project-name').fill('Holiday');
  await page.getByTestId('project-name').press('Enter');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByTestId('project-item').filter({ hasText: 'Holiday' })).toHaveCount(1);
  // The new project is empty while the library is not: it says so.
  await expect(page.getByTestId('library-empty')).toContainText('This project is empty');
  await shot(page, 'library-new-project');

  // A tall portrait with the face near the top: its square thumbnail is cropped around the face,
  // not the centre (which would show the body).
  const tall = join(host.dir, 'tall-portrait.jpg');
  await sharp(join(faces, 'face-00-obama-1.jpg')).resize(256, 256).extend({ top: 60, bottom: 700, left: 40, right: 40, background: '#3a4a5a' }).jpeg().toFile(tall);
  await page.getByTestId('file-input').setInputFiles([tall]);
  await expect(page.getByTestId('import-summary')).toContainText('1 photo imported', { timeout: 60_000 });
  const thumb = page.getByTestId('photo-card').first().locator('img');
  await expect(thumb).toHaveAttribute('data-focus', /.+/);
  const [fx, fy] = (await thumb.getAttribute('data-focus'))!.split(',').map(Number);
  // Face centre: x about the middle, y about (60 + 128) / 1016 of the height.
  expect(fx).toBeGreaterThan(0.35);
  expect(fx).toBeLessThan(0.65);
  expect(fy).toBeGreaterThan(0.1);
  expect(fy).toBeLessThan(0.28);
  // Its pixels: the thumbnail's middle row is the face's colours, not the plain background below it.
  const centre = await thumb.evaluate((img: HTMLImageElement) => {
    const c = document.createElement('canvas');
    const r = img.getBoundingClientRect();
    c.width = Math.round(r.width);
    c.height = Math.round(r.height);
    const g = c.getContext('2d')!;
    // Draw as object-fit: cover with the element's object-position does.
    const scale = Math.max(c.width / img.naturalWidth, c.height / img.naturalHeight);
    const [px, py] = getComputedStyle(img).objectPosition.split(' ').map((v) => parseFloat(v) / 100);
    const w = img.naturalWidth * scale;
    const h = img.naturalHeight * scale;
    g.drawImage(img, (c.width - w) * px!, (c.height - h) * py!, w, h);
    const d = g.getImageData(0, Math.round(c.height / 2), c.width, 1).data;
    let bg = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - 0x3a) < 12 && Math.abs(d[i + 1]! - 0x4a) < 12 && Math.abs(d[i + 2]! - 0x5a) < 12) bg++;
    return bg / (d.length / 4);
  });
  expect(centre, 'share of background in the thumbnail middle row').toBeLessThan(0.5);
});
