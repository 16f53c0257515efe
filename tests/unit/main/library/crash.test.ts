import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../../main/library/library';
import type { RecoveryReport } from '../../../../main/library/types';
import { checkLibraryFolder, expectConsistentLibrary } from '../../../fixtures/library/check-consistency';

// A real child process mutates the library in a loop and is SIGKILLed at random moments; after
// each kill the library must pass SQLite's integrity check and, once the next open's recovery has
// run, have no row pointing at a missing file, no orphan file and no temp file.

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const KILLS = 16;
let work: string;
let childJs: string;
let weights: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lib-crash-'));
  childJs = path.join(work, 'crash-child.cjs');
  await build({
    entryPoints: [path.join(ROOT, 'tests', 'fixtures', 'library', 'crash-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3', 'sharp'],
    outfile: childJs,
    logLevel: 'error',
  });
  weights = path.join(work, 'weights');
  mkdirSync(path.join(weights, 'shards'), { recursive: true });
  writeFileSync(path.join(weights, 'model.json'), '{"format":"layers-model"}');
  writeFileSync(path.join(weights, 'shards', 'w.bin'), Buffer.alloc(64 * 1024, 3));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Child {
  child: ChildProcess;
  /** Resolves once the child has opened the library (recovery done). */
  ready: Promise<void>;
  ops: () => number;
  stderr: () => string;
}

function startChild(dir: string, seed: number): Child {
  const child = spawn(process.execPath, [childJs, dir, String(seed), weights], {
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let ops = 0;
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const text = d.toString();
      ops += (text.match(/^op /gm) ?? []).length;
      if (text.includes('ready')) resolve();
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited (${code}) before opening the library: ${err}`));
    });
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, ready, ops: () => ops, stderr: () => err };
}

function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('library under SIGKILL', () => {
  it(`stays consistent across ${KILLS} kills at random moments`, async () => {
    const dir = path.join(work, 'library');
    const reports: RecoveryReport[] = [];
    let totalOps = 0;
    let mostPhotos = 0;
    for (let i = 0; i < KILLS; i++) {
      const { child, ready, ops, stderr } = startChild(dir, 1000 + i);
      if (i % 4 === 3) {
        // Every fourth kill lands early: while the child loads, migrates or runs recovery.
        await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 250)));
        ready.catch(() => undefined);
      } else {
        await ready;
        // Random moment: 30..700 ms into the mutation loop.
        await new Promise((r) => setTimeout(r, 30 + Math.floor(Math.random() * 670)));
      }
      await killAndWait(child);
      expect(stderr()).not.toMatch(/Error/);
      totalOps += ops();

      // Before any recovery: SQLite itself must be intact (WAL replay happens on this open).
      const raw = new Database(path.join(dir, 'library.sqlite'));
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      raw.close();

      // The next start's cleanup, then an independent check of every row and file.
      const lib = await Library.open(dir);
      reports.push(lib.recovery);
      expect(lib.integrityCheck()).toEqual(['ok']);
      lib.close();
      expectConsistentLibrary(dir);
      mostPhotos = Math.max(mostPhotos, checkLibraryFolder(dir).counts.photos);
    }
    // The kills really interrupted work: operations ran and recovery had things to clean up.
    const final = checkLibraryFolder(dir);
    expect(totalOps).toBeGreaterThan(KILLS);
    // Photos were imported at some point (the random mix of operations also deletes, so the final
    // count can be 0 when the last kills land after deletions: seen once in CI).
    expect(mostPhotos).toBeGreaterThan(0);
    const cleaned = reports.reduce((n, r) => n + r.runsInterrupted + r.tempFilesRemoved + r.orphanFilesRemoved, 0);
    expect(cleaned).toBeGreaterThan(0);
    // No photo was lost or marked missing by a crash: files are written before rows.
    expect(reports.every((r) => r.photosMarkedMissing === 0 && r.samplesDropped === 0 && r.exportsDropped === 0)).toBe(true);
    console.log(`kill test: ${KILLS} kills, ${totalOps} ops, final counts ${JSON.stringify(final.counts)}, cleaned ${cleaned}`);
  });
});
