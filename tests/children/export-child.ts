/**
 * Child process of reliability-kill-export.test.ts: a real studio core (library, real engine
 * process, shipped prototype model) exporting the library's photo in an endless loop, alternating
 * the library's export store ('download') and a granted folder, until the test SIGKILLs it.
 * Prints JSON lines: {ready, enginePid}, then after every finished export
 *   {done, destination, outputs, rows}   (rows: export rows in the library at that moment)
 * argv: dir (holds engine.cjs, config/, library/) grantedFolder assetsDir seed
 */
import type { ExportJob } from '../../preload/schemas/export';
import { startTestCore } from '../helpers/core-fixtures';

const say = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n');

async function main(): Promise<void> {
  const [dir, granted, assetsDir, seedArg] = process.argv.slice(2);
  const core = startTestCore(dir, { assetsDir });
  const call = { host: 'test' as const };
  const lib = await core.context.library();
  const project = lib.listProjects()[0];
  const photo = project ? lib.listPhotos({ projectId: project.id, limit: 1 }).items[0] : undefined;
  const model = lib.listModels().find((m) => m.kind === 'prototype' && m.name === 'prototype');
  if (!photo || !model) throw new Error(`the library needs a photo and the shipped prototype`);
  const { grantId } = core.context.grants.issue(granted, 'destination');
  await core.supervisor.whenReady();
  say({ ready: true, enginePid: core.supervisor.status.pid });
  const formats = ['jpeg', 'png', 'webp'] as const;
  for (let k = Number(seedArg); ; k++) {
    const destination = k % 2 === 0 ? { kind: 'download' as const } : { kind: 'grant' as const, grantId };
    const finished = new Promise<ExportJob>((resolve) => {
      const off = core.events.subscribe((event, payload) => {
        const job = payload as ExportJob;
        if (event !== 'export:progress' || job.state === 'running') return;
        off();
        resolve(job);
      });
    });
    const r = await core.dispatch(
      'export:start',
      { photoIds: [String(photo.id)], modelId: String(model.id), ages: [20 + (k % 6) * 10, 75], format: formats[k % 3], quality: 90, layout: 'files', destination },
      call,
    );
    if (!r.ok) throw new Error(`export:start failed: ${JSON.stringify(r.error)}`);
    const job = await finished;
    if (job.state !== 'done') throw new Error(`export ended ${job.state}: ${job.error}`);
    say({ done: k, destination: destination.kind, outputs: job.outputs, rows: lib.listExports({}).length });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
