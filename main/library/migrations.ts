import type Database from 'better-sqlite3';

// Numbered schema migrations. A released migration is never edited: a library made by any older
// version must upgrade step by step (tests/fixtures/library/v1 holds a real version-1 library).
// PRAGMA user_version records the last applied migration.

export interface Migration {
  version: number;
  name: string;
  up: (db: Database.Database) => void;
}

const v1Initial: Migration = {
  version: 1,
  name: 'initial schema',
  up: (db) => {
    db.exec(`
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE photos (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        file_path TEXT NOT NULL,
        thumb_path TEXT NOT NULL,
        format TEXT NOT NULL,
        byte_size INTEGER NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        orientation INTEGER NOT NULL DEFAULT 1,
        imported_at INTEGER NOT NULL,
        UNIQUE (project_id, sha256)
      );
      CREATE INDEX photos_by_project_name ON photos(project_id, name COLLATE NOCASE);
      CREATE INDEX photos_by_project_imported ON photos(project_id, imported_at);

      CREATE TABLE faces (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        box_x REAL NOT NULL,
        box_y REAL NOT NULL,
        box_w REAL NOT NULL,
        box_h REAL NOT NULL,
        score REAL NOT NULL,
        landmarks TEXT NOT NULL,
        age REAL,
        descriptor BLOB,
        UNIQUE (photo_id, idx)
      );

      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('age-cgan', 'cyclegan')),
        name TEXT NOT NULL,
        is_base INTEGER NOT NULL CHECK (is_base IN (0, 1)),
        parent_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        weights_dir TEXT NOT NULL UNIQUE,
        config TEXT NOT NULL,
        metrics TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX models_base_name ON models(kind, name) WHERE is_base = 1;

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('age-cgan', 'cyclegan')),
        parent_model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
        output_model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
        config TEXT NOT NULL,
        status TEXT NOT NULL
          CHECK (status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
        step INTEGER NOT NULL DEFAULT 0,
        total_steps INTEGER NOT NULL,
        loss_series TEXT NOT NULL DEFAULT '[]',
        error TEXT,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER
      );

      CREATE TABLE run_samples (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        file_path TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE exports (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
        target_age REAL NOT NULL,
        file_path TEXT NOT NULL UNIQUE,
        external_path TEXT,
        format TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        byte_size INTEGER NOT NULL,
        settings TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL
      );
    `);
  },
};

// Version 2: loss series move out of a JSON column (rewritten on every append) into run_metrics
// rows; runs gain the 'interrupted' status (needs a table rebuild: SQLite cannot alter a CHECK);
// photos gain tags, a user age label, the largest face's age for filtering, and "missing" flags.
const v2MetricsTagsAges: Migration = {
  version: 2,
  name: 'run metrics table, interrupted runs, tags, photo ages, missing flags',
  up: (db) => {
    db.exec(`
      CREATE TABLE run_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        step INTEGER NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (run_id, name, step)
      ) WITHOUT ROWID;

      INSERT OR REPLACE INTO run_metrics (run_id, name, step, value)
        SELECT r.id, m.key, json_extract(p.value, '$.step'), m.value
        FROM runs r, json_each(r.loss_series) p, json_each(json_extract(p.value, '$.values')) m
        WHERE json_valid(r.loss_series) AND typeof(m.value) IN ('integer', 'real');

      CREATE TABLE runs_v2 (
        id INTEGER PRIMARY KEY,
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('age-cgan', 'cyclegan')),
        parent_model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
        output_model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
        config TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN
          ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'interrupted')),
        step INTEGER NOT NULL DEFAULT 0,
        total_steps INTEGER NOT NULL,
        error TEXT,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      INSERT INTO runs_v2 (id, project_id, kind, parent_model_id, output_model_id, config, status,
                           step, total_steps, error, created_at, started_at, updated_at, finished_at)
        SELECT id, project_id, kind, parent_model_id, output_model_id, config, status,
               step, total_steps, error, created_at, started_at, updated_at, finished_at
        FROM runs;
      DROP TABLE runs;
      ALTER TABLE runs_v2 RENAME TO runs;
      CREATE INDEX runs_by_project ON runs(project_id, created_at);

      CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL COLLATE NOCASE,
        UNIQUE (project_id, name)
      );
      CREATE TABLE photo_tags (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        PRIMARY KEY (photo_id, tag_id)
      ) WITHOUT ROWID;
      CREATE INDEX photo_tags_by_tag ON photo_tags(tag_id);

      ALTER TABLE photos ADD COLUMN label_age REAL;
      ALTER TABLE photos ADD COLUMN primary_age REAL;
      ALTER TABLE photos ADD COLUMN missing INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE models ADD COLUMN missing INTEGER NOT NULL DEFAULT 0;

      UPDATE photos SET primary_age = (
        SELECT f.age FROM faces f WHERE f.photo_id = photos.id
        ORDER BY f.box_w * f.box_h DESC, f.idx LIMIT 1
      );
      CREATE INDEX photos_by_project_age ON photos(project_id, coalesce(label_age, primary_age));
      CREATE INDEX exports_by_photo ON exports(photo_id);
      CREATE INDEX run_samples_by_run ON run_samples(run_id, step);
      CREATE INDEX models_by_parent ON models(parent_id);
    `);
  },
};

/**
 * Version 3: models may be of kind 'prototype' (the training-free mean-face method that ships as
 * a baseline and fallback). SQLite cannot alter a CHECK constraint, so the table is rebuilt.
 */
const v3PrototypeModels: Migration = {
  version: 3,
  name: 'prototype model kind',
  up: (db) => {
    db.exec(`
      CREATE TABLE models_v3 (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('age-cgan', 'cyclegan', 'prototype')),
        name TEXT NOT NULL,
        is_base INTEGER NOT NULL CHECK (is_base IN (0, 1)),
        parent_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        weights_dir TEXT NOT NULL UNIQUE,
        config TEXT NOT NULL,
        metrics TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL,
        missing INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO models_v3 (id, kind, name, is_base, parent_id, project_id, weights_dir, config, metrics, created_at, missing)
        SELECT id, kind, name, is_base, parent_id, project_id, weights_dir, config, metrics, created_at, missing FROM models;
      DROP TABLE models;
      ALTER TABLE models_v3 RENAME TO models;
      CREATE UNIQUE INDEX models_base_name ON models(kind, name) WHERE is_base = 1;
      CREATE INDEX models_by_parent ON models(parent_id);
    `);
  },
};

export const MIGRATIONS: readonly Migration[] = [v1Initial, v2MetricsTagsAges, v3PrototypeModels];
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Apply every migration after the current version, up to `target`. Each runs in its own
 * transaction with foreign keys off (table rebuilds need that) and a foreign_key_check before
 * commit, as SQLite's ALTER TABLE documentation prescribes.
 */
export function migrate(db: Database.Database, target: number = LATEST_VERSION): number[] {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new Error(
      `This library was written by a newer version of the studio (schema ${current}, this build knows ${LATEST_VERSION}).`,
    );
  }
  const applied: number[] = [];
  const pending = MIGRATIONS.filter((m) => m.version > current && m.version <= target);
  if (pending.length === 0) return applied;
  db.pragma('foreign_keys = OFF');
  try {
    for (const m of pending) {
      db.transaction(() => {
        m.up(db);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) {
          throw new Error(`Migration ${m.version} (${m.name}) left ${broken.length} broken references.`);
        }
        db.pragma(`user_version = ${m.version}`);
      })();
      applied.push(m.version);
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
  return applied;
}
