/**
 * `npm run bench` sections (bundled by scripts/bench.mjs). Each section runs the benchmark
 * function its area exports and returns its JSON-able result; a failing section reports its
 * error and the others still run.
 */
import { runLibraryBench } from '../main/library/library-bench';
import { runAgeCganBench } from '../models/age-cgan/bench';
import { runEngineBench } from '../models/backend/engine-bench';
import { runCycleGanBench } from '../models/cyclegan/cyclegan-bench';
import { runFacePipelineBench } from '../models/face/face-bench';

export interface BenchArgs {
  sections: string[];
  runs?: number;
  /** Library: photos imported (default 1000; the library's own default is 10,000). */
  photos?: number;
  /** CycleGAN / Age-cGAN resolutions (default their own: 128 and 256). */
  resolutions?: number[];
  megapixels?: number[];
}

export const SECTIONS: Record<string, (a: BenchArgs) => Promise<unknown>> = {
  engine: (a) => runEngineBench({ runs: a.runs }),
  face: (a) => runFacePipelineBench({ megapixels: a.megapixels }),
  library: (a) => runLibraryBench({ photos: a.photos ?? 1000 }),
  cyclegan: (a) => runCycleGanBench({ runs: a.runs, resolutions: a.resolutions }),
  'age-cgan': (a) => runAgeCganBench({ runs: a.runs, resolutions: a.resolutions }),
};

export async function runBench(args: BenchArgs, log: (s: string) => void): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of args.sections) {
    const run = SECTIONS[name];
    if (!run) {
      out[name] = { error: `unknown section; choose from ${Object.keys(SECTIONS).join(', ')}` };
      continue;
    }
    log(`bench: ${name}...`);
    const t0 = performance.now();
    try {
      out[name] = await run(args);
    } catch (e) {
      out[name] = { error: e instanceof Error ? e.message : String(e) };
    }
    log(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return out;
}
