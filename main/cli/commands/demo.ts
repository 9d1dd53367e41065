import { dataDir, demoDir, ensureDataDir } from '../../node/data-dir.js';
import { DemoEngine, readActionsLog } from '../../node/demo/index.js';
import { type Command, UsageError } from '../command.js';
import { parseFault } from './run.js';

const USAGE = `usage: ferry demo reset
       ferry demo fault F        (fail-migration:VM, host-down:NODE, host-up:NODE, stop-vm:VM,
                                  move-vm:VM:NODE, slow-migration:VM:FACTOR)
       ferry demo log [--last N]

The embedded demo cluster lives in the data directory (FERRY_HOME, else the platform's
application-data folder): reset puts it back to its initial fleet; fault changes it behind
Ferry's back as a real cluster can (a VM moved or stopped by someone else, a host that stops
answering, a migration that fails); log prints its action log (demo/actions.jsonl).
Actions take wall-clock time, divided by FERRY_DEMO_SPEED (default 1).`;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'reset the demo cluster, inject faults into it, read its action log',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    const home = dataDir();
    ensureDataDir(home);
    const dir = demoDir(home);
    if (sub === 'log') {
      const last = rest[0] === '--last' ? Number(rest[1]) : Infinity;
      if (Number.isNaN(last)) throw new UsageError('--last needs a number');
      const entries = readActionsLog(dir);
      for (const e of entries.slice(Math.max(0, entries.length - last))) io.out(JSON.stringify(e));
      return 0;
    }
    let engine: DemoEngine;
    try {
      engine = DemoEngine.open(dir);
    } catch (e) {
      io.err(`ferry demo: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    try {
      if (sub === 'reset') {
        engine.reset();
        io.out(`demo cluster reset (${dir})`);
        return 0;
      }
      if (sub === 'fault') {
        const spec = rest[0];
        if (spec === undefined) throw new UsageError('fault needs a fault, e.g. move-vm:web3:r1-h1');
        const fault = spec.startsWith('host-up:') ? { kind: 'host-up' as const, node: spec.slice('host-up:'.length) } : parseFault(spec);
        try {
          engine.injectFault(fault);
        } catch (e) {
          io.err(`ferry demo: ${e instanceof Error ? e.message : String(e)}`);
          return 1;
        }
        io.out(`fault injected: ${spec}`);
        return 0;
      }
      throw new UsageError(sub === undefined ? 'missing sub-command' : `unknown sub-command '${sub}'`);
    } finally {
      engine.close();
    }
  },
};
