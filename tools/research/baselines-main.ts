/**
 * Reproduces models/eval/BASELINES.md: evaluates doing nothing and the prototype baseline on the
 * same faces, writes both reports as JSON and the contact sheet of the prototype (built by
 * `node scripts/build.mjs --only=tools`; run with nice -n 10 and FACE_AGE_THREADS=1 on a shared machine):
 *   node dist/tools/baselines-main.cjs --data packed:DIR:val --prototype-dir assets/models/prototype --limit 300
 *        --json-out assets/models/prototype/eval.json --sheet assets/models/prototype/contact-sheet.png
 *        --md-out /tmp/baselines-tables.md [--cache DIR]
 * The markdown written is the tables only; BASELINES.md adds the reading of them.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../../models/backend/select';
import { loadFaceModels } from '../../models/face/face-models';
import { encodeImage } from '../../models/image/image-io';
import { writeFileAtomic } from '../../models/core/atomic-write';
import { loadPrototypeModel } from '../../models/recipes/prototype/checkpoint';
import { renderContactSheet } from '../../models/eval/contact-sheet';
import { openEvalData } from '../../models/eval/eval-data';
import { DEFAULT_TARGETS, evaluateModel, type EvalProgress, type EvalReport } from '../../models/eval/evaluate';
import { formatEvalReport } from '../../models/eval/eval-command';
import { breakdownTable, overallTable, referenceTableMd } from '../../models/eval/report-markdown';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      data: { type: 'string' },
      'prototype-dir': { type: 'string' },
      limit: { type: 'string' },
      'json-out': { type: 'string' },
      'md-out': { type: 'string' },
      sheet: { type: 'string' },
      cache: { type: 'string' },
      sigma: { type: 'string' },
      strength: { type: 'string' },
    },
  });
  if (!values.data || !values['prototype-dir']) throw new Error('usage: --data SPEC --prototype-dir DIR [--limit N] [--json-out F] [--md-out F] [--sheet F]');
  const log = (s: string) => process.stderr.write(`${new Date().toISOString()} ${s}\n`);
  let last = 0;
  const onProgress = (p: EvalProgress) => {
    if (Date.now() - last > 30_000 || p.done === p.total) {
      last = Date.now();
      log(`${p.phase} ${p.done}/${p.total}`);
    }
  };
  await initBackend({ backend: 'wasm' });
  await loadFaceModels();
  const data = await openEvalData(values.data);
  const proto = await loadPrototypeModel(values['prototype-dir'], {
    ...(values.sigma === undefined ? {} : { sigma: Number(values.sigma) }),
    ...(values.strength === undefined ? {} : { strength: Number(values.strength) }),
  });
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  const cacheDir = values.cache ?? path.join(os.homedir(), '.cache', 'face-age', 'eval');
  const common = { data, targets: DEFAULT_TARGETS, limit, cacheDir, onProgress };
  if (values.sheet) {
    const sheet = await renderContactSheet(proto, data, { rows: 5 });
    await writeFileAtomic(values.sheet, await encodeImage({ width: sheet.width, height: sheet.height, data: sheet.rgb }, { format: 'png' }));
    log(`contact sheet: rows labelled ${sheet.labels.join(', ')}`);
  }
  const reports: EvalReport[] = [];
  for (const [name, model] of [['no-change', 'no-change'], ['prototype', proto]] as const) {
    log(`evaluating ${name}`);
    const r = await evaluateModel({ ...common, model, modelName: name });
    process.stdout.write(formatEvalReport(r).join('\n') + '\n\n');
    reports.push(r);
  }
  const doc = { createdAt: new Date().toISOString(), prototype: { options: proto.options, groups: proto.means.map((m) => ({ lo: m.lo, hi: m.hi, anchorAge: m.anchorAge, count: m.count })) }, reports };
  if (values['json-out']) await writeFileAtomic(values['json-out'], JSON.stringify(doc, null, 1));
  if (values['md-out']) {
    const md = [
      ...overallTable(reports), '',
      'Calibration reference:', '', ...referenceTableMd(reports[0]), '',
      ...reports.flatMap((r) => [`${r.model} by target:`, '', ...breakdownTable(r, 'byTarget'), '', `${r.model} by age gap:`, '', ...breakdownTable(r, 'byGap'), '']),
    ];
    await fs.writeFile(values['md-out'], md.join('\n') + '\n');
  }
  await data.close();
  proto.dispose();
}

main().catch((e: unknown) => {
  process.stderr.write(`baselines: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
