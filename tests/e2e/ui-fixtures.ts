/**
 * Fixtures for the studio UI stories: a browser host per test with a fresh temp library (the
 * same launch as tests/e2e/shell.spec.ts), real photos (tests/fixtures/photos when committed,
 * else small generated JPEGs), and helpers to seed the library through the typed API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import sharp from 'sharp';

export interface Host {
  url: string;
  origin: string;
  proc: ChildProcess;
  dir: string;
}

const PHOTO_DIR = resolve('tests/fixtures/photos');

/** Photos for import tests: the committed fixture portraits, or generated stand-ins. */
async function photoFiles(dir: string): Promise<string[]> {
  if (existsSync(PHOTO_DIR)) {
    const files = readdirSync(PHOTO_DIR)
      .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
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
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use) => {
    mkdirSync(resolve('.tmp'), { recursive: true });
    const dir = mkdtempSync(resolve('.tmp', 'e2e-ui-'));
    const proc = spawn(
      process.execPath,
      ['dist/web-host.cjs', '--test-hooks', '--library', join(dir, 'library'), '--config', join(dir, 'config')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((done, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`web host printed no URL:\n${out}\n${stderr}`)), 30_000);
      proc.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          done(m[1]);
        }
      });
      proc.on('exit', (code) => fail(new Error(`web host exited (${code}):\n${stderr}`)));
    });
    await use({ url, origin: new URL(url).origin, proc, dir });
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  },
  photos: async ({ host }, use) => {
    await use(await photoFiles(host.dir));
  },
});

export { expect };

/** Opens the studio at a section (`#/age`) with the launch token. */
export async function openStudio(page: Page, host: Host, section = 'library'): Promise<void> {
  await page.goto(host.url.replace('#token=', `#/${section}&token=`));
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

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync('tests/artifacts', { recursive: true });
  await page.screenshot({ path: `tests/artifacts/${name}.png`, fullPage: false });
}
