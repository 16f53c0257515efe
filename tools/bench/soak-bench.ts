/**
 * Memory soak (issue 11), `npm run bench -- soak`: long runs of what users repeat, checking that
 * nothing accumulates once warm.
 * - previews: the age slider's engine path (ageFacesOp, output 'both': aged crop + pasted-back
 *   region, both encoded) on a real photo with the shipped prototype model, sweeping the target
 *   age as a slider does;
 * - cyclegan / age-cgan: training steps of the real trainers (tools/bench/soak.ts).
 * Per phase: tf.memory().numTensors after the warm-up and at the end (must be equal: no tensor
 * leaks per iteration) and resident memory after a forced GC, after warm-up, along the way and
 * at the end (growth target < 50 MB).
 */
import { resolve } from 'node:path';
import { gcFunction, measureSoak, runTrainingSoak, type SoakPhase } from './soak';
import { initEngineBackend } from '../../main/engine/backend';
import { ageFacesOp } from '../../main/engine/ops/aging';
import { analyzeOp } from '../../main/engine/ops/faces';
import { shippedModelDir } from '../../models/core/shipped-assets';

export interface SoakBenchOptions {
  /** Slider previews (default 1000). */
  previews?: number;
  /** Training steps per trainer (default 200). */
  trainSteps?: number;
  /** Iterations before the baseline is taken (default 50 previews, 20 steps). */
  warmupPreviews?: number;
  warmupSteps?: number;
  /** Training resolution (default 32). */
  resolution?: number;
  /** Which phases to run (default all three). */
  phases?: Array<'previews' | 'cyclegan' | 'age-cgan'>;
  backend?: Parameters<typeof initEngineBackend>[0];
  threads?: number | null;
  photo?: string;
  modelDir?: string;
  facesDir?: string;
  log?: (s: string) => void;
}

export interface SoakBenchResult {
  backend: string;
  threads: number | null;
  gcForced: boolean;
  targetGrowthMB: number;
  phases: SoakPhase[];
  /** Every phase kept its tensor count and stayed under the RSS growth target. */
  ok: boolean;
}

const TARGET_MB = 50;

export async function runSoakBench(opts: SoakBenchOptions = {}): Promise<SoakBenchResult> {
  const log = opts.log ?? (() => undefined);
  const backend = await initEngineBackend(opts.backend ?? 'auto', opts.threads ?? null);
  const gc = gcFunction();
  const phases: SoakPhase[] = [];
  const want = new Set(opts.phases ?? ['previews', 'cyclegan', 'age-cgan']);
  const res = opts.resolution ?? 32;
  const steps = opts.trainSteps ?? 200;
  const warmSteps = opts.warmupSteps ?? 20;

  if (want.has('previews')) {
    const path = opts.photo ?? resolve('tests', 'fixtures', 'photos', 'one-face.jpg');
    const modelDir = opts.modelDir ?? shippedModelDir('prototype');
    const face = (await analyzeOp({ path })).faces[0];
    if (!face) throw new Error(`no face found in ${path}`);
    const signal = new AbortController().signal;
    const n = opts.previews ?? 1000;
    log(`soak: ${n} previews`);
    phases.push(
      await measureSoak('previews', opts.warmupPreviews ?? 50, n, gc, async (i) => {
        // A slider sweep: 0..90 and back, one request per position.
        const age = Math.abs(((i * 3) % 180) - 90);
        const r = await ageFacesOp({ path, landmarks: face.landmarks, sourceAge: face.age ?? 35, ages: [age], modelDir, output: 'both' }, signal);
        if (!r.frames[0].crop || !r.frames[0].pasted) throw new Error('a preview came back without its images');
      }),
    );
  }

  const trainers = (['cyclegan', 'age-cgan'] as const).filter((t) => want.has(t));
  if (trainers.length > 0) {
    const facesDir = opts.facesDir ?? resolve('tests', 'fixtures', 'faces');
    phases.push(...(await runTrainingSoak({ facesDir, steps, warmupSteps: warmSteps, resolution: res, trainers: [...trainers], gc, log })));
  }
  return {
    backend: backend.backend,
    threads: backend.threads,
    gcForced: gc !== null,
    targetGrowthMB: TARGET_MB,
    phases,
    ok: phases.every((p) => p.tensorsConstant && p.rssGrowthMB < TARGET_MB),
  };
}
