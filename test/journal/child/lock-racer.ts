/** Tries to take the cluster `demo`'s lock for a run; prints `ok` or `refused: …`. */
import { hostname } from 'node:os';

import { Journal } from '../../../main/node/journal/journal.js';

const [file, runId] = process.argv.slice(2);
if (file === undefined || runId === undefined) throw new Error('usage: lock-racer.ts <journal> <run id>');
const journal = Journal.open(file);
const outcome = journal.acquireLock('demo', { runId, user: 'racer', host: hostname(), pid: process.pid }, Date.now());
process.stdout.write(outcome.ok ? 'ok' : `refused: ${outcome.message}`);
journal.close();
