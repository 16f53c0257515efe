/**
 * Fixtures for the studio UI stories: a browser host per test with a fresh temp library
 * (tests/e2e/browser-host.ts), real photos (tests/fixtures/photos when committed,
 * else small generated JPEGs), and helpers to seed the library through the typed API.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import sharp from 'sharp';
import { launchBrowserHost, type LaunchedHost } from './browser-host';

export type Host = LaunchedHost;

const PHOTO_DIR = resolve('tests/fixtures/photos');

/** Readable photos for the stories: the committed fixture photos, or generated stand-ins. */
async function photoFiles(dir: string): Promise<string[]> {
  if (existsSync(PHOTO_DIR)) {
    const files = readdirSync(PHOTO_DIR)
      // Readable stills only: the fixture set also holds deliberately broken and animated files.
      .filter((f) => /\.(jpe?g|png|webp)$/i.test(f) && !/fake|broken|corrupt|truncated/i.test(f))
      .sort()
      .map((f) => join(PHOTO_DIR, f));
    if (files.length >= 3) return files;
  }
  const out = join(dir, 'generated-photos');
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  for (const [i, hue] of [20, 140, 260, 320].entries()) {
    const file = join(out, `portrait-${i + 1}.jpg`);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="600"><defs><radialGradient id="g"><stop offset="0" stop-color="hsl(${hue},60%,70%)"/><stop offset="1" stop-color="hsl(${hue},40%,25%)"/></radialGradient></defs><rect width="480" height="600" fill="url(#g)"/><ellipse cx="240" cy="260" rx="120" ry="160" fill="hsl(30,45%,70%)"/></svg>`;
    await sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toFile(file);
    files.push(file);
  }
  return files;
}

export const test = base.extend<{ host: Host; photos: string[] }>({
  // An uncaught error in the page fails the story: React drops a crashed subtree silently, and a
  // screen that vanished mid-test otherwise shows up only as a timeout somewhere else.
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
  // Playwright fixtures must destructure their (here unused) dependencies.
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use) => {
    const host = await launchBrowserHost('e2e-ui');
    await use(host);
    await host.stop();
  },
  photos: async ({ host }, use) => {
    await use(await photoFiles(host.dir));
  },
});

export { expect };

/** Opens the studio at a section (`#/age`) with the launch token. */
export async function openStudio(page: Page, host: Host, section = 'library'): Promise<void> {
  await page.goto(host.url);
  await expect(page.getByTestId('section-library')).toBeVisible();
  if (section !== 'library') await page.getByTestId(`nav-${section}`).click();
  await expect(page.getByTestId(`section-${section}`)).toBeVisible();
}

/** Imports files through the typed API (fast seeding for stories that are not about import). */
export async function seedPhotos(page: Page, files: string[]): Promise<string[]> {
  const { readFileSync } = await import('node:fs');
  const payload = files.map((f) => ({ name: f.split('/').pop()!, data: [...readFileSync(f)] }));
  return page.evaluate(async (items) => {
    const r = await window.studio!.photos.import({
      projectId: null,
      source: { kind: 'bytes', files: items.map((i) => ({ name: i.name, bytes: new Uint8Array(i.data) })) },
    });
    if (!r.ok) throw new Error(r.error.message);
    return [...r.value.imported, ...r.value.duplicates].map((p) => p.id);
  }, payload);
}

/** A committed fixture photo by name (tests/fixtures/photos), for stories that need a real face. */
export function fixturePhoto(name: string): string {
  return join(PHOTO_DIR, name);
}

/** The picker tile of a photo (age, compare and export screens). */
export function pickerPhoto(page: Page, photoId: string) {
  return page.locator(`[data-testid="picker-photo"][data-photo-id="${photoId}"]`);
}

export interface Crop {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Mean absolute difference (0-255) between two <img> elements (CSS selectors) drawn at 128 x 128 in
 * the page; `cropA` takes that rectangle of the first image (natural pixels) instead of all of it.
 */
export async function imageDifference(page: Page, a: string, b: string, cropA?: Crop): Promise<number> {
  return page.evaluate(
    async ([selA, selB, crop]) => {
      const draw = async (sel: string, r?: Crop) => {
        const img = document.querySelector(sel) as HTMLImageElement;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = 128;
        c.height = 128;
        const g = c.getContext('2d')!;
        const src = r ?? { x: 0, y: 0, width: img.naturalWidth, height: img.naturalHeight };
        g.drawImage(img, src.x, src.y, src.width, src.height, 0, 0, 128, 128);
        return g.getImageData(0, 0, 128, 128).data;
      };
      const pa = await draw(selA, crop ?? undefined);
      const pb = await draw(selB);
      let sum = 0;
      for (let i = 0; i < pa.length; i += 4) for (let c = 0; c < 3; c++) sum += Math.abs(pa[i + c]! - pb[i + c]!);
      return sum / ((pa.length / 4) * 3);
    },
    [a, b, cropA ?? null] as const,
  );
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync('tests/artifacts', { recursive: true });
  await page.screenshot({ path: `tests/artifacts/${name}.png`, fullPage: false });
}
