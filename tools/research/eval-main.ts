/**
 * Stand-alone entry of `face-age eval` for long runs outside the CLI (built by
 * `node scripts/build.mjs --only=tools`):
 *   node dist/tools/eval-main.cjs --model prototype --data packed:DIR:val --limit 300 [--out r.json]
 *        [--contact-sheet sheet.png] [--backend wasm] [--json]
 * Progress goes to stderr, the report to stdout.
 */
import { parseArgs } from 'node:util';
import { initBackend, parseBackendName } from '../../models/backend/select';
import { loadFaceModels } from '../../models/face/face-models';
import { encodeImage } from '../../models/image/image-io';
import { writeFileAtomic } from '../../models/core/atomic-write';
import { renderContactSheet } from '../../models/eval/contact-sheet';
import { EVAL_ARG_OPTIONS, parseEvalOptions, runEvalCommand } from '../../models/eval/eval-command';
import { openEvalData } from '../../models/eval/eval-data';
import { loadEvalModel } from '../../models/eval/load-model';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { ...EVAL_ARG_OPTIONS, backend: { type: 'string' }, json: { type: 'boolean' }, 'contact-sheet': { type: 'string' }, 'sheet-only': { type: 'boolean' }, 'sheet-rows': { type: 'string' } },
  });
  const backend = typeof values.backend === 'string' ? values.backend : undefined;
  const log = (s: string) => process.stderr.write(`${new Date().toISOString()} ${s}\n`);
  if (typeof values['contact-sheet'] === 'string') {
    const o = parseEvalOptions(values);
    await initBackend({ backend: parseBackendName(backend) });
    await loadFaceModels();
    const { model } = await loadEvalModel(o.model, { prototypeDir: o.prototypeDir });
    if (model === 'no-change') throw new Error('a contact sheet of no-change shows nothing');
    const data = await openEvalData(o.data);
    const sheet = await renderContactSheet(model, data, { targets: o.targets, resolution: o.resolution, rows: values['sheet-rows'] ? Number(values['sheet-rows']) : undefined });
    await writeFileAtomic(values['contact-sheet'], await encodeImage({ width: sheet.width, height: sheet.height, data: sheet.rgb }, { format: 'png' }));
    log(`contact sheet ${values['contact-sheet']}: rows labelled ${sheet.labels.join(', ')}; columns ${sheet.columns.join(', ')}`);
    await data.close();
    model.dispose();
    if (values['sheet-only']) return;
  }
  const r = await runEvalCommand({ values, backend, log });
  process.stdout.write((values.json ? JSON.stringify(r.json, null, 1) : r.text.join('\n')) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`eval: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
