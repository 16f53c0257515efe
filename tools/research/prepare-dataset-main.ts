/**
 * Command-line entry of prepareDataset (built by `node scripts/build.mjs --only=tools`):
 *   node dist/tools/prepare-dataset-main.cjs --images DIR --out DIR [--labels CSV] [--size 128] [--limit N]
 *        [--backend wasm|cpu|tensorflow] [--threads 1]
 * Runs on one core by default (wasm with one thread, sharp with one thread), so it can work in the
 * background beside an interactive session.
 */
import sharp from 'sharp';
import { initBackend, parseBackendName } from '../../models/backend/select';
import { loadFaceModels } from '../../models/face/face-models';
import { prepareDataset } from '../../models/face/prepare-dataset';

function parseArgs(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
    m.set(a.slice(2), v);
    i++;
  }
  return m;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const images = args.get('images');
  const out = args.get('out');
  if (!images || !out) {
    throw new Error('usage: --images DIR --out DIR [--labels CSV] [--size 128] [--limit N] [--backend wasm] [--threads 1]');
  }
  const threads = Number(args.get('threads') ?? 1);
  sharp.concurrency(threads);
  const info = await initBackend({ backend: parseBackendName(args.get('backend')) ?? 'wasm', threads });
  await loadFaceModels();
  const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);
  log(`backend ${info.name} (${info.threads} thread(s), simd ${info.simd})`);
  const report = await prepareDataset({
    imagesDir: images,
    outDir: out,
    labelsCsv: args.get('labels'),
    size: args.has('size') ? Number(args.get('size')) : undefined,
    limit: args.has('limit') ? Number(args.get('limit')) : undefined,
    log,
  });
  log(`done: ${JSON.stringify(report)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : String(e));
  process.exitCode = 1;
});
