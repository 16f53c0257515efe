/**
 * `face-age eval`: parse options -> backend + judges' nets -> model -> evaluateModel -> report.
 *   face-age eval --model <no-change|prototype|DIR> --data <DIR|packed:DIR:val>
 *                 [--targets 20,30,40,50,60,70] [--limit N] [--out report.json] [--cache DIR] [--json]
 *                 [--judges face-api,independent] [--shape-means FILE] [--save DIR]
 * Returns the CLI's CommandOutput shape ({text, json}) so main/cli can print either.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { initBackend, parseBackendName } from '../backend/select';
import { loadFaceModels } from '../face/face-models';
import { writeFileAtomic } from '../core/atomic-write';
import { DEFAULT_TARGETS, evaluateModel, type EvalProgress, type EvalReport } from './evaluate';
import { loadEvalModel } from './load-model';
import type { JudgeGroup } from './judge-metrics';
import { faceApiJudge } from './judges/face-api-judge';
import { loadIndependentJudge } from './judges/independent-judge';
import type { Judge } from './judges/judge';
import type { GroupMetrics } from './metrics';
import { validateShapeMeans } from './shape-metric';

export const EVAL_ARG_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  model: { type: 'string' },
  data: { type: 'string' },
  targets: { type: 'string' },
  limit: { type: 'string' },
  resolution: { type: 'string' },
  'reference-per-target': { type: 'string' },
  cache: { type: 'string' },
  out: { type: 'string' },
  'prototype-dir': { type: 'string' },
  judges: { type: 'string' },
  'shape-means': { type: 'string' },
  save: { type: 'string' },
};

export const JUDGE_NAMES = ['face-api', 'independent'] as const;
export type JudgeName = (typeof JUDGE_NAMES)[number];

export interface EvalCommandOptions {
  model: string;
  data: string;
  targets: number[];
  limit: number | undefined;
  resolution: number;
  referencePerTarget: number;
  cacheDir: string;
  out: string | null;
  prototypeDir: string | undefined;
  judges: JudgeName[];
  shapeMeans: string | null;
  save: string | null;
}

export function parseEvalOptions(v: Record<string, unknown>): EvalCommandOptions {
  if (typeof v.model !== 'string' || !v.model) throw new Error('--model is required: no-change, prototype or a model folder');
  if (typeof v.data !== 'string' || !v.data) throw new Error('--data is required: a folder with labels.csv, or packed:DIR:val');
  const int = (name: string, raw: unknown, min: number, max: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  let targets = [...DEFAULT_TARGETS];
  if (v.targets !== undefined) {
    targets = String(v.targets).split(',').map((s) => Number(s.trim()));
    if (targets.length === 0 || targets.some((t) => !Number.isFinite(t) || t < 0 || t > 120)) {
      throw new Error('--targets must be ages from 0 to 120 separated by commas, e.g. 20,30,40');
    }
  }
  return {
    model: v.model,
    data: v.data,
    targets,
    limit: int('limit', v.limit, 1, 1_000_000),
    resolution: int('resolution', v.resolution, 32, 1024) ?? 128,
    referencePerTarget: int('reference-per-target', v['reference-per-target'], 1, 100_000) ?? 100,
    cacheDir: typeof v.cache === 'string' ? v.cache : path.join(os.homedir(), '.cache', 'face-age', 'eval'),
    out: typeof v.out === 'string' ? v.out : null,
    prototypeDir: typeof v['prototype-dir'] === 'string' ? v['prototype-dir'] : undefined,
    judges: parseJudges(v.judges),
    shapeMeans: typeof v['shape-means'] === 'string' ? v['shape-means'] : null,
    save: typeof v.save === 'string' ? v.save : null,
  };
}

function parseJudges(raw: unknown): JudgeName[] {
  if (raw === undefined) return [...JUDGE_NAMES];
  const names = [...new Set(String(raw).split(',').map((s) => s.trim()).filter(Boolean))];
  if (names.some((n) => !(JUDGE_NAMES as readonly string[]).includes(n))) throw new Error(`--judges must be a comma list of ${JUDGE_NAMES.join(', ')}`);
  if (!names.includes('face-api')) throw new Error('--judges must include face-api (the summary of issue 8 is its)');
  return names as JudgeName[];
}

const f = (x: number | null, d = 2) => (x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(d));

function groupLine(name: string, g: GroupMetrics): string {
  return `  ${name.padEnd(6)} n=${String(g.outputs).padStart(5)}  est ${f(g.meanEstimate, 1).padStart(5)}  mae ${f(g.mae)}  noChange ${f(g.maeNoChange)}  calibrated ${f(g.maeCalibrated)} (noChange ${f(g.maeCalibratedNoChange)})  same ${f(g.sameRate, 3)}  dist ${f(g.meanDistance, 3)}`;
}

/** Human-readable lines of a report. */
export function formatEvalReport(r: EvalReport): string[] {
  return [
    `model ${r.model} at ${r.resolution} px${r.modelResolution && r.modelResolution !== r.resolution ? ` (runs at ${r.modelResolution} px, change transferred)` : ''} on ${r.data}: ${r.faces} faces x ${r.targets.length} targets in ${r.seconds.toFixed(0)} s`,
    `age.mae ${f(r.age.mae)}  maeRealFaces ${f(r.age.maeRealFaces)}  maeNoChange ${f(r.age.maeNoChange)}  maeCalibrated ${f(r.age.maeCalibrated)} (no change ${f(r.age.maeCalibratedNoChange)})`,
    `identity.sameRate ${f(r.identity.sameRate, 3)}  meanDistance ${f(r.identity.meanDistance, 3)}`,
    `reference (mean face-api estimate of faces labelled t+-${r.reference.window}): ${r.reference.entries.map((e) => `${e.target}->${f(e.mean, 1)} (n=${e.count})`).join(', ')}${r.reference.cached ? ' [cached]' : ''}`,
    'by target:',
    ...Object.entries(r.byTarget).map(([k, g]) => groupLine(k, g)),
    'by age gap |target - label|:',
    ...Object.entries(r.byGap).map(([k, g]) => groupLine(k, g!)),
    `goals (issue 8): calibrated <= realFaces ${r.goals.calibratedAtMostRealFaces}, calibrated < 0.6 x noChange ${r.goals.calibratedBelow06NoChange}, sameRate gap<20 ${f(r.goals.sameRateUpTo20, 3)}, gap>=40 ${f(r.goals.sameRateOver40, 3)}`,
    ...formatJudges(r),
  ];
}

const pct = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(0)}%`);

function judgeGroupLine(name: string, g: JudgeGroup): string {
  const nets = Object.entries(g.nets).map(([k, n]) => `${k} ${f(n.sameRate, 3)} (d ${f(n.meanDistance, 3)})`).join('  ');
  return `    ${name.padEnd(7)} n=${String(g.outputs).padStart(5)}  est ${f(g.meanEstimate, 1).padStart(5)}  achieved ${pct(g.achieved.share)} (median ${pct(g.achieved.median)}, ${g.achieved.rows} rows)  calibrated ${f(g.maeCalibrated)} (noChange ${f(g.maeCalibratedNoChange)})  same ${f(g.sameRate, 3)}  ${nets}`;
}

/** Lines of each judge's summary, the shape metric and issue 19's goals. */
export function formatJudges(r: EvalReport): string[] {
  const lines: string[] = [];
  for (const [name, j] of Object.entries(r.judges)) {
    const ref = r.references[name];
    lines.push(
      `judge ${name}: realFaces mae ${f(j.maeRealFaces)}  same gap<20 ${f(j.sameRateUpTo20, 3)}  gap>=40 ${f(j.sameRateOver40, 3)}  thresholds ${Object.entries(j.thresholds).map(([k, t]) => `${k} ${f(t, 3)}`).join(', ')}`,
      `  reference: ${ref.entries.map((e) => `${e.target}->${f(e.mean, 1)}`).join(', ')}${ref.cached ? ' [cached]' : ''}`,
      judgeGroupLine('all', j),
      ...Object.entries(j.byTarget).map(([k, g]) => judgeGroupLine(k, g)),
    );
  }
  if (r.shape) {
    lines.push(`shape (progress toward the target's mean shape): all ${f(r.shape.overall.meanProgress, 3)}  ${Object.entries(r.shape.byTarget).map(([k, g]) => `${k}: ${f(g.meanProgress, 3)} (d ${f(g.meanInputDistance, 4)} -> ${f(g.meanOutputDistance, 4)})`).join('  ')}`);
  }
  const g = r.goals19;
  const map = (m: Record<string, boolean | null>) => Object.entries(m).map(([k, v]) => `${k} ${v}`).join(', ');
  lines.push(
    `goals (issue 19): independent achieved >= 0.8 ${g.independentAchievedAtLeast08}, independent calibrated <= 8 ${g.independentCalibratedAtMost8}, face-api calibrated <= 9 ${g.faceApiCalibratedAtMost9}; same gap<20 >= 0.95: ${map(g.sameRateUpTo20AtLeast095)}; gap>=40 >= 0.85: ${map(g.sameRateOver40AtLeast085)}; shape 5/80: ${map(g.shapeTowardTarget)}`,
  );
  if (r.saved) lines.push(`saved ${r.saved.pairs} pairs to ${r.saved.dir} (pairs.csv)`);
  return lines;
}

export interface EvalCommandArgs {
  values: Record<string, unknown>;
  /** Backend override ('auto' or undefined: the default order). */
  backend?: string;
  /** wasm threads (default FACE_AGE_THREADS, else every core: on a busy machine pass 1). */
  threads?: number;
  /** Progress lines (e.g. to stderr); none by default. */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export async function runEvalCommand(args: EvalCommandArgs): Promise<{ text: string[]; json: EvalReport }> {
  const o = parseEvalOptions(args.values);
  await initBackend({ backend: parseBackendName(args.backend), threads: args.threads });
  await loadFaceModels();
  const judges: Judge[] = [faceApiJudge];
  if (o.judges.includes('independent')) judges.push(await loadIndependentJudge());
  const shapeMeans = o.shapeMeans ? validateShapeMeans(JSON.parse(await fs.readFile(o.shapeMeans, 'utf8'))) : undefined;
  const { model, name } = await loadEvalModel(o.model, { prototypeDir: o.prototypeDir });
  let last = 0;
  const onProgress = (p: EvalProgress) => {
    const now = Date.now();
    if (args.log && (now - last > 5000 || p.done === p.total)) {
      last = now;
      args.log(`${p.phase}: ${p.done}/${p.total}`);
    }
  };
  try {
    const report = await evaluateModel({
      model,
      modelName: name,
      data: o.data,
      targets: o.targets,
      limit: o.limit,
      resolution: o.resolution,
      referencePerTarget: o.referencePerTarget,
      cacheDir: o.cacheDir,
      judges,
      shapeMeans,
      saveDir: o.save ?? undefined,
      onProgress,
      signal: args.signal,
    });
    if (o.out) {
      await fs.mkdir(path.dirname(path.resolve(o.out)), { recursive: true });
      await writeFileAtomic(o.out, JSON.stringify(report, null, 1));
    }
    return { text: formatEvalReport(report), json: report };
  } finally {
    if (model !== 'no-change') model.dispose();
  }
}
