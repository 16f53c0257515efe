/**
 * Markdown tables of evaluation reports, side by side (one column per model), for BASELINES.md and
 * the model cards, so every card prints the same numbers the same way.
 */
import type { EvalReport } from './evaluate';
import type { GroupMetrics } from './metrics';

const f = (x: number | null | undefined, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** Overall numbers, one column per report. */
export function overallTable(reports: readonly EvalReport[]): string[] {
  const row = (name: string, get: (r: EvalReport) => string) => [name, ...reports.map(get)];
  return table(
    ['metric', ...reports.map((r) => r.model)],
    [
      row('faces x targets', (r) => `${r.faces} x ${r.targets.length}`),
      row('age.mae', (r) => f(r.age.mae)),
      row('age.maeRealFaces', (r) => f(r.age.maeRealFaces)),
      row('age.maeNoChange', (r) => f(r.age.maeNoChange)),
      row('age.maeCalibrated', (r) => f(r.age.maeCalibrated)),
      row('age.maeCalibrated of no change', (r) => f(r.age.maeCalibratedNoChange)),
      row('identity.sameRate', (r) => f(r.identity.sameRate, 3)),
      row('identity.meanDistance', (r) => f(r.identity.meanDistance, 3)),
      row('sameRate, gap < 20', (r) => f(r.goals.sameRateUpTo20, 3)),
      row('sameRate, gap >= 40', (r) => f(r.goals.sameRateOver40, 3)),
      row('seconds', (r) => f(r.seconds, 0)),
    ],
  );
}

/** One report broken down by target or by gap: rows are groups. */
export function breakdownTable(r: EvalReport, by: 'byTarget' | 'byGap'): string[] {
  const groups = Object.entries(r[by]) as Array<[string, GroupMetrics]>;
  return table(
    [by === 'byTarget' ? 'target' : 'gap', 'outputs', 'mean estimate', 'mae', 'maeNoChange', 'maeCalibrated', 'calibrated no change', 'sameRate', 'meanDistance'],
    groups.map(([k, g]) => [k, String(g.outputs), f(g.meanEstimate, 1), f(g.mae), f(g.maeNoChange), f(g.maeCalibrated), f(g.maeCalibratedNoChange), f(g.sameRate, 3), f(g.meanDistance, 3)]),
  );
}

/** The calibration reference of a report. */
export function referenceTableMd(r: EvalReport): string[] {
  return table(
    ['target', 'faces labelled t +- ' + r.reference.window, 'their mean label', 'mean face-api estimate'],
    r.reference.entries.map((e) => [String(e.target), String(e.count), f(e.meanLabel, 1), f(e.mean, 1)]),
  );
}
