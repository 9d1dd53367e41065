import { dataDir, ensureDataDir, journalPath } from '../node/data-dir.js';
import { Journal, JournalError } from '../node/journal/journal.js';
import { terminalPasswordPrompt } from '../node/libvirt/tty-password.js';
import { ClusterService } from '../services/cluster.js';
import { PlanningService } from '../services/planning.js';
import { RunService } from '../services/runs.js';

/**
 * The services behind the run-related commands, opened once per command: the data directory, the
 * journal (opened and probed for writing before anything else, so a full or read-only disk is
 * reported before any step starts), the clusters and the planner.
 */
export interface CliServices {
  readonly home: string;
  readonly journal: Journal;
  readonly clusters: ClusterService;
  readonly planning: PlanningService;
  readonly runs: RunService;
  close(): void;
}

export type OpenResult = { ok: true; services: CliServices } | { ok: false; message: string };

export function openServices(): OpenResult {
  let home: string;
  try {
    home = dataDir();
    ensureDataDir(home);
  } catch (e) {
    return { ok: false, message: `cannot use the data directory: ${e instanceof Error ? e.message : String(e)} (set FERRY_HOME to a writable directory)` };
  }
  let journal: Journal;
  try {
    journal = Journal.open(journalPath(home));
  } catch (e) {
    if (e instanceof JournalError) return { ok: false, message: e.message };
    throw e;
  }
  // a libvirt host whose cluster file says askPassword: true is asked for on the terminal (the console replaces this)
  const clusters = new ClusterService(home, { askPassword: terminalPasswordPrompt() });
  const planning = new PlanningService();
  const clock = { now: () => Date.now() };
  const runs = new RunService({ home, journal, clusters, planning, clock });
  return { ok: true, services: { home, journal, clusters, planning, runs, close: () => journal.close() } };
}
