/**
 * A run driver reduced to its journal writes, for the durability test: creates a run (unless it
 * exists) and records step changes in a loop, printing each seq once `record` returned, until
 * it is killed.
 */
import { Journal } from '../../../main/node/journal/journal.js';
import { META, revision, run, T0, withStep } from '../support.js';

const [file, runId, stepsArg] = process.argv.slice(2);
if (file === undefined || runId === undefined) throw new Error('usage: recorder.ts <journal> <run id> [steps]');
const journal = Journal.open(file);
let r = journal.loadRun(runId)?.run;
if (!r) {
  r = run(runId, Number(stepsArg ?? '200'));
  journal.createRun(r, META, revision(1));
}
// a parent that went away (closed pipe) ends the child; so does a bound, should nobody kill it
process.stdout.on('error', () => process.exit(1));
process.stdout.write('ready\n');
for (let i = 1; i < 100_000; i++) {
  const s = r.steps[i % r.steps.length];
  if (!s) break;
  r = withStep(r, s.id, { attempts: s.attempts + 1, reason: `attempt ${s.attempts + 1}` });
  const seq = journal.record(runId, { type: 'preflight-ok', at: T0 + i, stepId: s.id }, r);
  // pipes are written synchronously on POSIX: a printed seq left the child before the next record
  process.stdout.write(`${seq} ${s.id} ${s.attempts + 1}\n`);
}
