/**
 * Sample grid of the age classifier: one row per face, the face beside a bar chart of its
 * predicted group probabilities (the labelled group's bar in green, the others in grey).
 */
import type { FaceBatch, SampleGrid } from '../../core/trainer';
import { ageGroupOf, type AgeGroups } from '../../data/age-bins';

export function renderPredictionGrid(batch: FaceBatch, probs: Float32Array, groups: AgeGroups): SampleGrid {
  const [n, R] = batch.images.shape;
  const G = groups.edges.length;
  const width = 2 * R;
  const height = n * R;
  const rgb = new Uint8Array(width * height * 3);
  const img = batch.images.dataSync(); // sample grids are rare (every few hundred steps)
  for (let f = 0; f < n; f++) {
    for (let y = 0; y < R; y++) {
      for (let x = 0; x < R; x++) {
        const s = ((f * R + y) * R + x) * 3;
        const d = ((f * R + y) * width + x) * 3;
        for (let c = 0; c < 3; c++) rgb[d + c] = Math.max(0, Math.min(255, Math.round((img[s + c] + 1) * 127.5)));
      }
    }
    const truth = ageGroupOf(batch.ages[f], groups);
    const barW = Math.floor(R / G);
    for (let g = 0; g < G; g++) {
      const h = Math.round(probs[f * G + g] * (R - 2));
      const colour = g === truth ? [40, 170, 70] : [150, 150, 150];
      for (let y = R - h; y < R; y++) {
        for (let x = g * barW + 1; x < (g + 1) * barW; x++) {
          const d = ((f * R + y) * width + R + x) * 3;
          rgb[d] = colour[0];
          rgb[d + 1] = colour[1];
          rgb[d + 2] = colour[2];
        }
      }
    }
  }
  return { width, height, rgb, columns: ['input', 'group probabilities (labelled group green)'] };
}
