/**
 * Shared by the reliability-kill-* tests: a child script (bundled by bundleEngine's extra
 * entries) run with JSON-line output, and SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';

export interface JsonChild {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first line for which `test` holds (rejects if the child exits first). */
  waitFor: (test: (line: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Starts `node file ...args`, parsing each stdout line as JSON (other lines are ignored). */
export function startJsonChild(file: string, args: string[]): JsonChild {
  const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ test: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.test(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.on('exit', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`child exited (${signal ?? code}) before the awaited line: ${err}`));
      res({ code, signal });
    });
  });
  const waitFor = (test: (l: Record<string, unknown>) => boolean) => {
    const hit = lines.find(test);
    if (hit) return Promise.resolve(hit);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`child already exited: ${err}`));
    return new Promise<Record<string, unknown>>((res, rej) => waiters.push({ test, resolve: res, reject: rej }));
  };
  return { child, lines, waitFor, exited, stderr: () => err };
}

/** SIGKILL and wait for the exit; true if the signal really ended the process (it was still running). */
export async function kill9(c: JsonChild): Promise<boolean> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return false;
  c.child.kill('SIGKILL');
  const { signal } = await c.exited;
  return signal === 'SIGKILL';
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SQLite's own integrity check of a library folder, before any of the library's recovery runs. */
export function expectSqliteIntact(libDir: string): void {
  const raw = new Database(join(libDir, 'library.sqlite'));
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    raw.close();
  }
}
