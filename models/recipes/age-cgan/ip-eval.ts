/**
 * Identity report of a trained Age-cGAN on real aligned faces (a folder with labels.csv, e.g.
 * tests/fixtures/faces): per face, the recognition-descriptor distance to the input
 *   - of G(z0, y0) with z0 = E(x)             (encoder only)
 *   - of G(z*, y0) after the IP optimisation  (the paper's step)
 *   - of the aged face G(z*, y(t)) shown raw, and of the change transfer x + G(z*, y(t)) - G(z*, y0)
 *     (what paste-back displays), for each target age t.
 * Distances are measured at the input's full resolution with face-api's net (same person < 0.6).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadFolderFaces } from '../../data/face-source';
import { FaceDataset } from '../../data/face-dataset';
import { loadAgeCganModel } from './model';
import { descriptorDistance, FaceRecognizer } from '../../face/identity-net';
import type { IpConfig } from './config';

export interface IpEvalFace {
  index: number;
  age: number;
  /** Distances at the model's resolution, as optimised. */
  z0: number;
  zStar: number;
  /** Per target age: distance of the raw G output and of the change transfer, full resolution. */
  targets: Array<{ age: number; raw: number; transfer: number }>;
}

export interface IpEvalResult {
  faces: IpEvalFace[];
  mean: { z0: number; zStar: number; raw: number; transfer: number };
  ip: { steps: number; msPerFace: number };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function runAgeCganIpEval(opts: {
  modelDir: string;
  facesDir: string;
  targets?: number[];
  limit?: number;
  ip?: Partial<IpConfig>;
}): Promise<IpEvalResult> {
  const model = await loadAgeCganModel(opts.modelDir, { ip: opts.ip });
  const fr = await FaceRecognizer.load();
  const source = await loadFolderFaces(opts.facesDir, { size: 128 });
  const ds = new FaceDataset(source, { split: 'all', resolution: 128, jitter: null });
  const targets = opts.targets ?? [20, 70];
  const faces: IpEvalFace[] = [];
  let ipMs = 0;
  try {
    let index = 0;
    for await (const batch of ds.sequential(1)) {
      if (opts.limit !== undefined && index >= opts.limit) {
        batch.images.dispose();
        break;
      }
      const x = batch.images;
      const age = batch.ages[0];
      await model.prepare(x, age);
      const ip = model.lastIp;
      if (!ip) throw new Error('the IP optimisation did not run (ip.steps 0?)');
      ipMs += ip.ms;
      const row: IpEvalFace = { index, age, z0: ip.distanceBefore[0], zStar: ip.distanceAfter[0], targets: [] };
      for (const t of targets) {
        const { output, reconstruction } = await model.age(x, age, t);
        const [raw, transfer] = tf.tidy(() => {
          const dx = fr.describe(x);
          const rawD = descriptorDistance(dx, fr.describe(output));
          const moved = tf.clipByValue(tf.add(x, tf.sub(output, reconstruction)), -1, 1) as tf.Tensor4D;
          return [rawD.dataSync()[0], descriptorDistance(dx, fr.describe(moved)).dataSync()[0]];
        });
        row.targets.push({ age: t, raw, transfer });
        tf.dispose([output, reconstruction]);
      }
      faces.push(row);
      x.dispose();
      index++;
    }
  } finally {
    model.dispose();
    fr.dispose();
    await source.close();
  }
  const all = faces.flatMap((f) => f.targets);
  return {
    faces,
    mean: {
      z0: mean(faces.map((f) => f.z0)),
      zStar: mean(faces.map((f) => f.zStar)),
      raw: mean(all.map((t) => t.raw)),
      transfer: mean(all.map((t) => t.transfer)),
    },
    ip: { steps: model.ip.steps, msPerFace: faces.length ? ipMs / faces.length : 0 },
  };
}
