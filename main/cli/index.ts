import { safeName, terminalSafe } from '../../src/text/safe.js';
import { type Command, type CommandIO, UsageError, processIO, reportInternalError } from './command.js';

/**
 * Every sub-command, one line each: its name and summary (for `ferry --help`) and how to load it.
 * A command's module is imported only when it runs, so `ferry plan` never loads the DSL or the
 * other commands (start-up counts on every run). test/cli/index.test.ts keeps each summary equal
 * to its command's own.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
  /** JSON files the command will read, guessed from its arguments: their reading starts before its code loads. */
  readonly prefetch?: (args: readonly string[]) => string[];
}

/**
 * The first positional argument of a command whose every option takes a value (`ferry plan`):
 * its instance file. A wrong guess only costs an unused read.
 */
function firstOperand(args: readonly string[]): string[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '-' || !arg.startsWith('-')) return [arg];
    i++; // the option's value
  }
  return [];
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'show', summary: 'summarise an instance: nodes, VMs, resources, load, constraints, objective', load: async () => (await import('./commands/show.js')).showCommand },
  { name: 'check', summary: 're-verify a plan against an instance: executable, every constraint holds', load: async () => (await import('./commands/check.js')).checkCommand },
  { name: 'replay', summary: 'replay a plan on a model: check it step by step, print the final mapping', load: async () => (await import('./commands/replay.js')).replayCommand },
  { name: 'lint', summary: 'check a btrpsl script against an instance, or print it formatted', load: async () => (await import('./commands/lint.js')).lintCommand },
  { name: 'plan', summary: 'compute, check and print a reconfiguration plan', load: async () => (await import('./commands/plan.js')).planCommand, prefetch: firstOperand },
  { name: 'inventory', summary: 'read a live cluster: hosts, VMs, load (text) or a BtrPlace instance (json)', load: async () => (await import('./commands/inventory.js')).inventoryCommand },
  { name: 'run', summary: 'plan a live cluster and run the plan step by step, each step approved', load: async () => (await import('./commands/run.js')).runCommand },
  { name: 'runs', summary: 'list the runs in the journal, newest first', load: async () => (await import('./commands/runs.js')).runsCommand },
  { name: 'report', summary: "write a run's maintenance report (Markdown or HTML)", load: async () => (await import('./commands/report.js')).reportCommand },
  { name: 'demo', summary: 'reset the demo cluster, inject faults into it, read its action log', load: async () => (await import('./commands/demo.js')).demoCommand },
  { name: 'console', summary: 'serve the operator console to a browser on this machine (127.0.0.1, a token per launch)', load: async () => (await import('./commands/console.js')).consoleCommand },
];

/**
 * Every command's output passes terminalSafe: a name that slipped past safeName still cannot put
 * an escape sequence on the operator's terminal (JSON output is unchanged: JSON escapes those).
 */
function guarded(io: CommandIO): CommandIO {
  return { out: (text) => io.out(terminalSafe(text)), err: (text) => io.err(terminalSafe(text)) };
}

export async function runCli(argv: readonly string[], rawIo: CommandIO = processIO): Promise<number> {
  const io = guarded(rawIo);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (target) {
      io.out((await target.load()).usage);
      return 0;
    }
    io.out(['usage: ferry <command> [options]', '', 'commands:', ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`), '', "'ferry help <command>' shows a command's options."].join('\n'));
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.err(`ferry: unknown command '${safeName(name)}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    return 2;
  }
  const early = entry.prefetch?.(rest) ?? [];
  if (early.length > 0) {
    const { prefetchJsonText } = await import('../node/instance-file.js');
    for (const file of early) prefetchJsonText(file);
  }
  const command = await entry.load();
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`ferry ${command.name}: ${e.message}\n\n${command.usage}`);
      return 2;
    }
    return reportInternalError(command.name, e, io);
  }
}
