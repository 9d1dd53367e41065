import { formatUtc } from '../../../src/report/maintenance-report.js';
import { type Command, UsageError } from '../command.js';
import { openServices } from '../services.js';

const USAGE = `usage: ferry runs [--format text|json]

Lists the runs in the journal, newest first, one a line: the run's id, its state, the cluster,
steps done of total, who started it and when.`;

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list the runs in the journal, newest first',
  usage: USAGE,
  async run(args, io) {
    let format: 'text' | 'json' = 'text';
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--format' && (args[i + 1] === 'text' || args[i + 1] === 'json')) format = args[++i] as 'text' | 'json';
      else throw new UsageError(`unknown option '${args[i] ?? ''}'`);
    }
    const opened = openServices();
    if (!opened.ok) {
      io.err(`ferry runs: ${opened.message}`);
      return 1;
    }
    try {
      const runs = opened.services.journal.listRuns();
      if (format === 'json') io.out(JSON.stringify(runs));
      else if (runs.length === 0) io.err('no runs in the journal yet (ferry run --cluster demo --script FILE.btrp starts one)');
      else for (const r of runs) io.out(`${r.runId}  ${r.state.padEnd(10)} ${r.clusterId}  ${r.done}/${r.steps} steps  revision ${r.revision}  ${r.createdBy}  ${formatUtc(r.createdAt)}`);
      return 0;
    } finally {
      opened.services.close();
    }
  },
};
