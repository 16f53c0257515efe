/**
 * The face-api networks, loaded once per process from the model files shipped inside the
 * @vladmandic/face-api package (never downloaded). We import the node-wasm build because it
 * `require`s '@tensorflow/tfjs' itself, so it shares the app's tfjs 4.22 engine and runs on
 * whichever backend the engine selected (cpu, wasm, or tfjs-node elsewhere).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { installFusedSsd } from './ssd-fused';

export { faceapi };

let loading: Promise<void> | null = null;

/** Folder of the weight manifests inside the installed package. */
export function faceApiModelDir(): string {
  // Resolve from this file when the module system tells us where it is (CJS bundle in dist/, vitest),
  // else from the working directory; import.meta.url is not available in the CJS bundle.
  const from = typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'noop.js');
  const pkgJson = createRequire(from).resolve('@vladmandic/face-api/package.json');
  return path.join(path.dirname(pkgJson), 'model');
}

/**
 * Loads SSD MobileNet v1, TinyFaceDetector, the 68-point landmark net, age/gender and the
 * 128-d recognition net. Idempotent: concurrent and repeated calls share one load.
 * The tfjs backend must already be set (the engine does it before calling us).
 */
export function loadFaceModels(modelDir: string = faceApiModelDir()): Promise<void> {
  if (!loading) {
    loading = (async () => {
      const n = faceapi.nets;
      await Promise.all([
        n.ssdMobilenetv1.isLoaded ? null : n.ssdMobilenetv1.loadFromDisk(modelDir),
        n.tinyFaceDetector.isLoaded ? null : n.tinyFaceDetector.loadFromDisk(modelDir),
        n.faceLandmark68Net.isLoaded ? null : n.faceLandmark68Net.loadFromDisk(modelDir),
        n.ageGenderNet.isLoaded ? null : n.ageGenderNet.loadFromDisk(modelDir),
        n.faceRecognitionNet.isLoaded ? null : n.faceRecognitionNet.loadFromDisk(modelDir),
      ]);
      // SSD with batch norm folded and every layer one fused kernel (ssd-fused.ts): same boxes, faster.
      installFusedSsd();
    })().catch((e: unknown) => {
      loading = null; // let a later call retry (e.g. after the backend was fixed)
      throw e;
    });
  }
  return loading;
}

export function faceModelsLoaded(): boolean {
  const n = faceapi.nets;
  return n.ssdMobilenetv1.isLoaded && n.tinyFaceDetector.isLoaded && n.faceLandmark68Net.isLoaded
    && n.ageGenderNet.isLoaded && n.faceRecognitionNet.isLoaded;
}

/** Throws a programming error when a pipeline function is called before loadFaceModels(). */
export function assertFaceModelsLoaded(): void {
  if (!faceModelsLoaded()) throw new Error('face models are not loaded: await loadFaceModels() first');
}
