/**
 * Helpers shared by the reliability suites: a snapshot of everything a library holds (rows of every
 * table, files in its store, the settings file) so a test can prove a batch of refused input left
 * it exactly as it was, and the checks every refusal must pass (a typed error a person can read).
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { ERROR_CODES, StudioErrorSchema, type Result } from '../../preload/contract';
import { DATABASE_FILE, type Library } from '../../main/library/library';

export interface LibrarySnapshot {
  /** table -> every row, in a stable order. */
  tables: Record<string, unknown[]>;
  /** Store files (relative path -> size), the database and its WAL excluded. */
  files: Record<string, number>;
  settings: string | null;
}

function listFiles(root: string, dir = root, out: Record<string, number> = {}): Record<string, number> {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) listFiles(root, path, out);
    else if (!e.name.startsWith(DATABASE_FILE)) out[relative(root, path)] = statSync(path).size;
  }
  return out;
}

/**
 * The open library holds SQLite's exclusive lock, so its rows are read through its own connection
 * (a private field: the Library API has no "dump every table", and a test must see them all).
 */
function dbOf(lib: Library): Database.Database {
  return (lib as unknown as { ctx: { db: Database.Database } }).ctx.db;
}

/** Every row of every table, the store's files and the settings file. */
export function snapshotLibrary(lib: Library, settingsFile?: string): LibrarySnapshot {
  const db = dbOf(lib);
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const tables: Record<string, unknown[]> = {};
  for (const { name } of names) {
    // Sorted here: some tables are WITHOUT ROWID.
    const rows = db.prepare(`SELECT * FROM "${name}"`).all();
    tables[name] = rows.map((r) => [JSON.stringify(r), r] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  }
  return {
    tables,
    files: listFiles(lib.dir),
    settings: settingsFile && existsSync(settingsFile) ? readFileSync(settingsFile, 'utf8') : null,
  };
}

/**
 * A message a person can act on: not empty, not "undefined", no stack trace or source path, and
 * none of the phrasing of a JavaScript TypeError leaking out of a handler.
 */
export function isReadableMessage(message: unknown): boolean {
  return (
    typeof message === 'string' &&
    message.trim().length >= 8 &&
    !/^(undefined|null|Error)$/.test(message.trim()) &&
    !/Cannot read propert|is not a function|is not defined|is not iterable|\[object Object\]/.test(message) &&
    !/\n\s+at\s/.test(message) &&
    !/\.(ts|cjs|mjs|js):\d+/.test(message)
  );
}

/** Asserts `r` is the contract's typed error (and no other shape), returning its code. */
export function expectTypedError(r: Result<unknown> | unknown, what: string): string {
  expect(r, what).toMatchObject({ ok: false });
  const res = r as { ok: false; error: unknown };
  expect(Object.keys(res).sort(), what).toEqual(['error', 'ok']);
  const parsed = StudioErrorSchema.safeParse(res.error);
  expect(parsed.success, `${what}: ${JSON.stringify(res.error)?.slice(0, 300)}`).toBe(true);
  const { code, message } = res.error as { code: string; message: string };
  expect(ERROR_CODES as readonly string[], what).toContain(code);
  expect(isReadableMessage(message), `${what}: message ${JSON.stringify(message)?.slice(0, 300)}`).toBe(true);
  return code;
}

/** Own property names of the built-in prototypes a pollution would write to. */
export function prototypeFingerprint(): Record<string, string[]> {
  const of = (o: object) => Reflect.ownKeys(o).map(String).sort();
  return {
    object: of(Object.prototype),
    array: of(Array.prototype),
    function: of(Function.prototype),
    string: of(String.prototype),
  };
}
