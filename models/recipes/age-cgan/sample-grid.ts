/** Tiles [cols, rows, R, R, 3] images in [-1, 1] into one RGB picture (columns = visuals). */
import type { SampleGrid } from '../../core/trainer';

/** Ages shown in sample grids and the dashboard. */
export const SAMPLE_AGES = [10, 30, 50, 70] as const;

export function renderGrid(data: ArrayLike<number>, rows: number, cols: number, r: number, columns: string[]): SampleGrid {
  const width = cols * r;
  const height = rows * r;
  const rgb = new Uint8Array(width * height * 3);
  for (let c = 0; c < cols; c++) {
    for (let row = 0; row < rows; row++) {
      const src = (c * rows + row) * r * r * 3;
      for (let y = 0; y < r; y++) {
        const dst = ((row * r + y) * width + c * r) * 3;
        for (let i = 0; i < r * 3; i++) {
          const v = (data[src + y * r * 3 + i] + 1) * 127.5;
          rgb[dst + i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
        }
      }
    }
  }
  return { width, height, rgb, columns };
}
