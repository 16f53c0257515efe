/**
 * Child process of reliability-kill-import.test.ts: imports batches of real, distinct JPEGs (48 to
 * 1,500 px, so file writes take a while) into one project in an endless loop until SIGKILLed.
 * After each batch returns it prints {imported: [{id, sha256}]}: the photos the library has
 * acknowledged, which must survive any later kill.
 * argv: libraryDir seed
 */
import { createHash } from 'node:crypto';
import { headerOnlyAnalyzer } from '../../main/library/image-check';
import { Library } from '../../main/library/library';
import { distinctJpeg } from '../fixtures/library/make-images';

async function main(): Promise<void> {
  const [dir, seedArg] = process.argv.slice(2);
  let seed = Number(seedArg) * 100_000;
  const lib = await Library.open(dir);
  const project = lib.listProjects()[0] ?? lib.createProject({ name: 'kill import' });
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
  for (;;) {
    const files = await Promise.all(
      [48, 400, 1500].map(async (size) => ({ name: `p${seed}.jpg`, bytes: await distinctJpeg(seed++, size) })),
    );
    const hashes = new Map(files.map((f) => [f.name, createHash('sha256').update(f.bytes).digest('hex')]));
    const out = await lib.importPhotos(project.id, files, headerOnlyAnalyzer);
    const imported = out.flatMap((o) => (o.status === 'imported' ? [{ id: o.photoId, sha256: hashes.get(o.name) }] : []));
    if (imported.length !== files.length) throw new Error(`import failed: ${JSON.stringify(out)}`);
    process.stdout.write(JSON.stringify({ imported }) + '\n');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
