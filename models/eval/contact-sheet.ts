/**
 * A contact sheet of results: one row per face, columns "input" then each target age, each tile
 * what the studio shows for the aligned face (evaluate.ts asShown: a lower-resolution model's change
 * transferred onto the sharper input) at `resolution` (default the model's). Pure RGB assembly; encoding is the caller's
 * (encodeImage). Faces are chosen spread over the data's ages (sorted by label) so the rows show
 * young, middle-aged and old inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SampleGrid } from '../core/trainer';
import { readFaceAt, type EvalData } from './eval-data';
import { asShown, type EvaluableModel } from './evaluate';
import { floatsToBytes, toBytes } from './measure';

export interface ContactSheetOptions {
  rows?: number;
  targets?: readonly number[];
  /** Pixels between tiles (white). Default 2. */
  gap?: number;
  /** Tile size; default the model's resolution. */
  resolution?: number;
}

export async function renderContactSheet(model: EvaluableModel, data: EvalData, opts: ContactSheetOptions = {}): Promise<SampleGrid & { labels: number[] }> {
  const rows = opts.rows ?? 4;
  const targets = opts.targets ?? [20, 30, 40, 50, 60, 70];
  const gap = opts.gap ?? 2;
  const R = opts.resolution ?? model.resolution;
  const byAge = [...data.pool].sort((a, b) => data.source.ages[a] - data.source.ages[b]);
  const picks = Array.from({ length: Math.min(rows, byAge.length) }, (_, k) => byAge[Math.floor(((k + 0.5) * byAge.length) / Math.min(rows, byAge.length))]);
  const cols = targets.length + 1;
  const width = cols * R + (cols - 1) * gap;
  const height = picks.length * R + (picks.length - 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const put = (tile: Uint8Array, r: number, c: number) => {
    for (let y = 0; y < R; y++) {
      const dst = ((r * (R + gap) + y) * width + c * (R + gap)) * 3;
      rgb.set(tile.subarray(y * R * 3, (y + 1) * R * 3), dst);
    }
  };
  for (let r = 0; r < picks.length; r++) {
    const label = data.source.ages[picks[r]];
    const x = await readFaceAt(data.source, picks[r], R);
    put(floatsToBytes(x), r, 0);
    for (let c = 0; c < targets.length; c++) {
      const xt = tf.tensor4d(x, [1, R, R, 3]);
      try {
        const { output, reconstruction } = await model.age(xt, label, targets[c]);
        const shown = asShown(xt, output, reconstruction);
        reconstruction?.dispose();
        output.dispose();
        put(await toBytes(shown), r, c + 1);
        shown.dispose();
      } finally {
        xt.dispose();
      }
    }
  }
  return { width, height, rgb, columns: ['input', ...targets.map((t) => `age ${t}`)], labels: picks.map((i) => data.source.ages[i]) };
}
