import { gunzipSync, gzipSync } from 'node:zlib';

import type { Database } from 'better-sqlite3';

import { splitOrigin } from './plan-origins.js';

/**
 * The journal's tables. Resuming a run must not replay its history: `runs.run` holds the current
 * Run without its steps (JSON) and `run_steps` one row per step (JSON), so loading a run of 1,000
 * steps after a crash is one row, its steps and its revisions, however long its history. Steps
 * have rows of their own because a record changes one or two of them: rewriting the whole Run
 * (≈ 340 KB for 1,000 steps) on every record cost 4.4 ms and as many bytes of WAL and checkpoint
 * writes per event. `entries` is the audit trail (one row per event, note or revision), read
 * only by reports.
 *
 * Not STRICT on purpose: times come from an injected clock and are stored as given.
 */

/** `PRAGMA application_id`: "Fery". Tells a Ferry journal from any other SQLite file. */
export const APPLICATION_ID = 0x46657279;

/** `PRAGMA user_version`: bumped with a migration step in `migrate` whenever the tables change. */
export const SCHEMA_VERSION = 3;

/** The first tables, as Ferry 1 created them (kept verbatim: a v1 journal is migrated from them). */
export const V1 = `
CREATE TABLE runs (
  run_id          TEXT PRIMARY KEY,
  cluster_id      TEXT NOT NULL,
  state           TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  script          TEXT NOT NULL,
  script_name     TEXT NOT NULL,
  options         TEXT NOT NULL,
  steps           INTEGER NOT NULL,
  done            INTEGER NOT NULL,
  revision        INTEGER NOT NULL,
  constraint_hash TEXT NOT NULL,
  run             TEXT NOT NULL,
  state_seq       INTEGER NOT NULL
);
CREATE INDEX runs_by_created ON runs (created_at DESC, run_id DESC);

-- position: the step's index in Run.steps (a re-plan that reorders them rewrites the run's rows)
CREATE TABLE run_steps (
  run_id          TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  step_id         TEXT NOT NULL,
  step            TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
);

CREATE TABLE revisions (
  run_id          TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  revision        INTEGER NOT NULL,
  constraint_hash TEXT NOT NULL,
  plan            TEXT NOT NULL,
  origin_facts    TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  reason          TEXT NOT NULL,
  PRIMARY KEY (run_id, revision)
);

CREATE TABLE entries (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id          TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  at              INTEGER NOT NULL,
  actor           TEXT,
  type            TEXT NOT NULL,
  event           TEXT,
  revision        INTEGER NOT NULL,
  constraint_hash TEXT NOT NULL,
  note            TEXT,
  changes         TEXT
);
CREATE INDEX entries_by_run ON entries (run_id, seq);

-- one run per cluster at a time; no foreign key: a run takes its cluster's lock before it exists
CREATE TABLE locks (
  cluster_id      TEXT PRIMARY KEY,
  run_id          TEXT NOT NULL,
  user            TEXT NOT NULL,
  host            TEXT NOT NULL,
  pid             INTEGER NOT NULL,
  since           INTEGER NOT NULL,
  heartbeat       INTEGER NOT NULL
);

CREATE TABLE meta (
  key             TEXT PRIMARY KEY,
  value           TEXT NOT NULL
);
`;

/**
 * Version 2: computed plans, run or not (History's "Past plans"). `plan` is the plan:compute
 * result as it went on the wire (its plan carries the origin model), JSON gzip-compressed: a
 * 40,000-VM origin is 2 MB of JSON and a tenth of it compressed. The summary columns are what
 * History lists without opening a single plan. `plan_runs`: the runs created from a plan.
 */
export const V2 = `
CREATE TABLE plans (
  plan_id           TEXT PRIMARY KEY,
  request_id        TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  source_kind       TEXT NOT NULL,
  source            TEXT NOT NULL,
  script            TEXT NOT NULL,
  script_name       TEXT NOT NULL,
  options           TEXT NOT NULL,
  constraint_hash   TEXT NOT NULL,
  status            TEXT NOT NULL,
  steps             INTEGER NOT NULL,
  migrations        REAL,
  duration_s        REAL,
  memory_moved_mib  REAL,
  objective         REAL,
  lower_bound       REAL,
  gap               REAL,
  explanation       TEXT NOT NULL,
  plan_gz           BLOB NOT NULL
);
CREATE INDEX plans_by_created ON plans (created_at DESC, plan_id DESC);

CREATE TABLE plan_runs (
  run_id            TEXT PRIMARY KEY,
  plan_id           TEXT NOT NULL REFERENCES plans (plan_id) ON DELETE CASCADE
);
CREATE INDEX plan_runs_by_plan ON plan_runs (plan_id);
`;

/**
 * Version 3: each plan's origin once. 200 what-ifs on one 40,000-VM read kept 200 copies of the same
 * model; `plan_origins` keeps it once, keyed by the digest of its JSON (plan-origins.ts), and a plan
 * whose body has no origin names it in `origin_digest` (NULL: the body is whole, as in version 2).
 * Retention drops the origins no plan names in the transaction that drops the plans.
 */
const V3 = `
CREATE TABLE plan_origins (
  digest            TEXT PRIMARY KEY,
  origin_gz         BLOB NOT NULL
);
ALTER TABLE plans ADD COLUMN origin_digest TEXT;
CREATE INDEX plans_by_origin ON plans (origin_digest);
`;

export type SchemaProblem = { readonly kind: 'foreign'; readonly applicationId: number } | { readonly kind: 'newer'; readonly version: number };

/**
 * Brings the schema to SCHEMA_VERSION. Call inside a write transaction (BEGIN IMMEDIATE), so two
 * processes opening a new journal at once do not both create it. Refuses a SQLite file of another
 * application and a journal written by a newer Ferry rather than touching them.
 */
export function migrate(db: Database): SchemaProblem | null {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (appId !== APPLICATION_ID && (appId !== 0 || hasTables(db))) return { kind: 'foreign', applicationId: appId };
  if (version > SCHEMA_VERSION) return { kind: 'newer', version };
  if (version < 1) {
    db.exec(V1);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 1');
  }
  if (version < 2) {
    db.exec(V2);
    db.pragma('user_version = 2');
  }
  if (version < 3) {
    db.exec(V3);
    moveOrigins(db);
    db.pragma('user_version = 3');
  }
  return null;
}

/**
 * Version 2 → 3: each kept plan's origin moves to `plan_origins` (once per digest), its body is
 * kept without it. A body that cannot be read stays as it was (whole, no digest): reopening it
 * says it is damaged, as before; the migration does not fail for it.
 */
function moveOrigins(db: Database): void {
  const ids = db.prepare('SELECT plan_id FROM plans').pluck().all() as string[];
  const body = db.prepare('SELECT plan_gz FROM plans WHERE plan_id = ?').pluck();
  const kept = db.prepare('SELECT 1 FROM plan_origins WHERE digest = ?').pluck();
  const keep = db.prepare('INSERT INTO plan_origins (digest, origin_gz) VALUES (?, ?)');
  const rewrite = db.prepare('UPDATE plans SET plan_gz = ?, origin_digest = ? WHERE plan_id = ?');
  for (const planId of ids) {
    let split;
    try {
      split = splitOrigin(JSON.parse(gunzipSync(body.get(planId) as Buffer).toString('utf8')));
    } catch {
      continue;
    }
    if (split.origin === null) continue;
    if (kept.get(split.origin.digest) === undefined) keep.run(split.origin.digest, gzipSync(split.origin.text));
    rewrite.run(gzipSync(split.body), split.origin.digest, planId);
  }
}

function hasTables(db: Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' LIMIT 1").get() !== undefined;
}
