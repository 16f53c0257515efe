import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { SampleGrid } from '../core/trainer';
import { writeFileAtomic } from '../core/atomic-write';

/** Encodes a trainer's sample grid as PNG and writes it atomically. */
export async function writeSampleGridPng(file: string, grid: SampleGrid): Promise<void> {
  if (grid.rgb.length !== grid.width * grid.height * 3) {
    throw new Error(`sample grid has ${grid.rgb.length} bytes, expected ${grid.width}x${grid.height}x3`);
  }
  const png = await sharp(grid.rgb, { raw: { width: grid.width, height: grid.height, channels: 3 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, png);
}
