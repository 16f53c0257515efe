/**
 * The contact sheet and the animated timeline as the user gets them: the encoded file is decoded
 * and each cell compared with the face crop that went into it (real face fixtures, PNG and JPEG),
 * the label row is dark with light text, and the sheet has no stripe noise (neighbouring rows of
 * a cell correlate as a photo's rows do). A garbled sheet (an RGBA buffer encoded as RGB) fails
 * every one of these checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { exportComposeOp } from '../../../../main/engine/ops/export';
import { rowCorrelation } from '../../../helpers/pixels';

const FACES = join(__dirname, '../../../fixtures/faces');
const CELL = 128;

async function pngOf(file: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(readFileSync(join(FACES, file))).png().toBuffer());
}

async function rgb(bytes: Uint8Array | Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { data, width: info.width, height: info.height };
}

/** Mean absolute difference per channel value between a region of `img` and the whole of `ref`. */
function regionDiff(img: { data: Buffer; width: number }, left: number, top: number, ref: { data: Buffer; width: number; height: number }): number {
  let sum = 0;
  for (let y = 0; y < ref.height; y++) {
    for (let x = 0; x < ref.width; x++) {
      for (let c = 0; c < 3; c++) sum += Math.abs(img.data[((top + y) * img.width + left + x) * 3 + c]! - ref.data[(y * ref.width + x) * 3 + c]!);
    }
  }
  return sum / (ref.width * ref.height * 3);
}

const signal = new AbortController().signal;

describe('contact sheet pixels', () => {
  it.each(['png', 'jpeg'] as const)('%s: each cell holds its face crop, under a dark label row', async (format) => {
    const files = [
      ['face-00-obama-1.jpg', 'face-01-obama-2.jpg', 'face-02-obama-3.jpg'],
      ['face-04-biden-1.jpg', 'face-05-biden-2.jpg', 'face-08-rose-leslie-1.jpg'],
    ];
    const rows = await Promise.all(files.map((r) => Promise.all(r.map(pngOf))));
    const out = await exportComposeOp(
      { layout: 'contact-sheet', rows, ages: [20, 50, 80], cellSize: CELL, format, quality: 92, frameMs: 500 },
      signal,
    );
    const sheet = await rgb(out.bytes);
    const header = sheet.height - 2 * CELL;
    expect(sheet.width).toBe(3 * CELL);
    expect(header).toBeGreaterThanOrEqual(12);
    expect([out.width, out.height]).toEqual([sheet.width, sheet.height]);

    const tolerance = format === 'png' ? 0.5 : 6;
    for (const [r, row] of files.entries()) {
      for (const [c, file] of row.entries()) {
        const crop = await rgb(readFileSync(join(FACES, file)));
        const own = regionDiff(sheet, c * CELL, header + r * CELL, crop);
        expect(own, `${format} cell ${r},${c} is ${file}`).toBeLessThan(tolerance);
        // And it is not its neighbour's face (the comparison could tell them apart).
        const other = await rgb(readFileSync(join(FACES, files[1 - r]![c]!)));
        expect(regionDiff(sheet, c * CELL, header + r * CELL, other)).toBeGreaterThan(own + 10);
        // A photo's rows follow each other; stripe noise does not.
        expect(await rowCorrelation(out.bytes, { x: c * CELL, y: header + r * CELL, width: CELL, height: CELL })).toBeGreaterThan(0.8);
      }
    }
    // The label row: dark background (#202020) with some light text pixels in every column.
    for (let c = 0; c < 3; c++) {
      let dark = 0;
      let light = 0;
      for (let y = 0; y < header; y++) {
        for (let x = c * CELL; x < (c + 1) * CELL; x++) {
          const v = sheet.data[(y * sheet.width + x) * 3]!;
          if (v < 60) dark += 1;
          if (v > 150) light += 1;
        }
      }
      expect(dark / (header * CELL), `label ${c} background`).toBeGreaterThan(0.6);
      expect(light, `label ${c} text`).toBeGreaterThan(0);
    }
  });

  it('animated timeline: each frame is its crop', async () => {
    const files = ['face-06-kit-harington-1.jpg', 'face-07-kit-harington-2.jpg'];
    const frames = await Promise.all(files.map(pngOf));
    const out = await exportComposeOp(
      { layout: 'animated-timeline', rows: [frames], ages: [30, 70], cellSize: CELL, format: 'webp', quality: 95, frameMs: 400 },
      signal,
    );
    const meta = await sharp(out.bytes).metadata();
    expect(meta.pages).toBe(2);
    for (const [i, file] of files.entries()) {
      const frame = await rgb(await sharp(out.bytes, { page: i }).png().toBuffer());
      const crop = await rgb(readFileSync(join(FACES, file)));
      expect(regionDiff(frame, 0, 0, crop), `frame ${i}`).toBeLessThan(8);
      expect(await rowCorrelation(await sharp(out.bytes, { page: i }).png().toBuffer(), { x: 0, y: 0, width: CELL, height: CELL })).toBeGreaterThan(0.8);
    }
  });
});
