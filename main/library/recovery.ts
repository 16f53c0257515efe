import { makeThumbnail } from './image-check';
import type { LibraryContext } from './rows';
import type { RecoveryReport } from './types';

// Startup recovery, run by Library.open before anything else touches the library (the SQLite
// exclusive lock guarantees no other process is writing). Policy:
// - tmp/ is emptied (half-written files of a killed process);
// - runs left 'running' become 'interrupted' (resumable or cancellable from the UI);
// - files under files/ that no row points at are deleted (written just before a crash, or left
//   by a delete whose unlink did not happen);
// - a photo whose original is gone is kept but marked missing (its faces, labels and exports
//   still have value; the UI offers to remove it); a missing thumbnail is rebuilt from the original;
// - a model whose weights folder is empty or gone is marked missing; base models stay listed;
// - sample grids and exports whose file is gone are deleted (they are nothing without the file).
// A marker clears again if the file comes back (e.g. a restored backup).

export async function recover(ctx: LibraryContext): Promise<RecoveryReport> {
  const { db, store } = ctx;
  const report: RecoveryReport = {
    tempFilesRemoved: 0,
    orphanFilesRemoved: 0,
    photosMarkedMissing: 0,
    thumbnailsRebuilt: 0,
    modelsMarkedMissing: 0,
    samplesDropped: 0,
    exportsDropped: 0,
    runsInterrupted: 0,
  };
  report.tempFilesRemoved = await store.clearTemp();
  report.runsInterrupted = db
    .prepare(`UPDATE runs SET status = 'interrupted', updated_at = ? WHERE status = 'running'`)
    .run(ctx.now()).changes;

  const files = new Set(await store.listFiles());
  const referenced = new Set<string>();
  const photos = db.prepare('SELECT id, file_path, thumb_path, missing FROM photos').all() as {
    id: number;
    file_path: string;
    thumb_path: string;
    missing: number;
  }[];
  const markPhoto = db.prepare('UPDATE photos SET missing = ? WHERE id = ?');
  for (const p of photos) {
    referenced.add(p.file_path);
    referenced.add(p.thumb_path);
    const present = files.has(p.file_path);
    if (present === (p.missing === 1)) {
      markPhoto.run(present ? 0 : 1, p.id);
      if (!present) report.photosMarkedMissing++;
    }
    if (present && !files.has(p.thumb_path)) {
      try {
        await store.writeAtomic(p.thumb_path, await makeThumbnail(await store.read(p.file_path)));
        report.thumbnailsRebuilt++;
      } catch {
        // An unreadable original keeps its row; the UI shows a placeholder thumbnail.
      }
    }
  }

  const models = db.prepare('SELECT id, weights_dir, missing FROM models').all() as {
    id: number;
    weights_dir: string;
    missing: number;
  }[];
  const modelDirs = models.map((m) => `${m.weights_dir}/`);
  const markModel = db.prepare('UPDATE models SET missing = ? WHERE id = ?');
  const filesInDir = (prefix: string): boolean => {
    for (const f of files) if (f.startsWith(prefix)) return true;
    return false;
  };
  for (const m of models) {
    const present = filesInDir(`${m.weights_dir}/`);
    if (present === (m.missing === 1)) {
      markModel.run(present ? 0 : 1, m.id);
      if (!present) report.modelsMarkedMissing++;
    }
  }

  for (const table of ['run_samples', 'exports'] as const) {
    const rows = db.prepare(`SELECT id, file_path FROM ${table}`).all() as { id: number; file_path: string }[];
    const drop = db.prepare(`DELETE FROM ${table} WHERE id = ?`);
    db.transaction(() => {
      for (const r of rows) {
        referenced.add(r.file_path);
        if (files.has(r.file_path)) continue;
        drop.run(r.id);
        if (table === 'run_samples') report.samplesDropped++;
        else report.exportsDropped++;
      }
    })();
  }

  for (const f of files) {
    if (referenced.has(f) || modelDirs.some((d) => f.startsWith(d))) continue;
    await store.remove(f);
    report.orphanFilesRemoved++;
  }
  await store.pruneEmptyDirs();
  return report;
}
