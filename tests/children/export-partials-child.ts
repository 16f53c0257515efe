/**
 * Child process of export-guards.test.ts: does what export:start's save() does for a granted
 * folder up to the rename (journal the temp path, create the hidden temp file, write part of the
 * image), then waits to be SIGKILLed. Prints {ready, path} once the temp file is on disk.
 * argv: journalFile folder finalName
 */
import { promises as fs } from 'node:fs';
import { ExportPartials, partialPath } from '../../main/core/export-partials';

async function main(): Promise<void> {
  const [journal, folder, finalName] = process.argv.slice(2);
  const partials = new ExportPartials(journal);
  const temp = partialPath(folder, finalName);
  await partials.add(temp);
  const fh = await fs.open(temp, 'wx');
  await fh.write(Buffer.alloc(4096, 0xff));
  process.stdout.write(JSON.stringify({ ready: true, path: temp }) + '\n');
  // Killed here, mid-write, as a crash would.
  setInterval(() => undefined, 60_000);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
