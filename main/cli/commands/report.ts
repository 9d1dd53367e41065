import { writeFile } from 'node:fs/promises';

import { renderReport, reportData } from '../../../src/report/maintenance-report.js';
import { type Command, UsageError } from '../command.js';
import { openServices } from '../services.js';

const USAGE = `usage: ferry report RUN [--format md|html] [--output FILE]

Writes the maintenance report of a run from the journal: summary, the plan and its revisions,
each step with its approvals (who, when, which revision, which constraint set), attempts,
timings and errors, and the audit trail. Markdown (default) or a self-contained HTML page, on
stdout unless --output is given. RUN may be a unique prefix of the run's id.`;

export const reportCommand: Command = {
  name: 'report',
  summary: "write a run's maintenance report (Markdown or HTML)",
  usage: USAGE,
  async run(args, io) {
    let runArg: string | undefined;
    let format: 'md' | 'html' = 'md';
    let output: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] ?? '';
      if (arg === '--format') {
        const v = args[++i];
        if (v !== 'md' && v !== 'html') throw new UsageError(`--format must be md or html, got '${v ?? ''}'`);
        format = v;
      } else if (arg === '--output') {
        output = args[++i];
        if (output === undefined) throw new UsageError('--output needs a file');
      } else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
      else if (runArg !== undefined) throw new UsageError('one run only');
      else runArg = arg;
    }
    if (runArg === undefined) throw new UsageError('missing RUN (ferry runs lists them)');
    const opened = openServices();
    if (!opened.ok) {
      io.err(`ferry report: ${opened.message}`);
      return 1;
    }
    const { journal } = opened.services;
    try {
      const ids = journal.findRun(runArg);
      if (ids.length !== 1) {
        io.err(ids.length === 0 ? `ferry report: no run ${runArg} in the journal` : `ferry report: ${runArg} names ${ids.length} runs: ${ids.slice(0, 5).join(', ')}`);
        return 1;
      }
      const runId = ids[0] as string;
      const stored = journal.loadRun(runId);
      if (!stored) {
        io.err(`ferry report: run ${runId} has no state in the journal`);
        return 1;
      }
      const text = renderReport(reportData({ ...stored, entries: journal.entries(runId) }), format);
      if (output === undefined) io.out(text);
      else {
        await writeFile(output, text);
        io.err(`report written to ${output}`);
      }
      return 0;
    } finally {
      opened.services.close();
    }
  },
};
