import { type Command, type CommandIO, UsageError, processIO } from './command.js';
import { checkCommand } from './commands/check.js';
import { replayCommand } from './commands/replay.js';
import { lintCommand } from './commands/lint.js';
import { showCommand } from './commands/show.js';
import { planCommand } from './commands/plan.js';

/** Every sub-command, one line each. */
const COMMANDS: readonly Command[] = [
  showCommand,
  checkCommand,
  replayCommand,
  lintCommand,
  planCommand,
];

export async function runCli(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (target) {
      io.out(target.usage);
      return 0;
    }
    io.out(['usage: ferry <command> [options]', '', 'commands:', ...COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`), '', "'ferry help <command>' shows a command's options."].join('\n'));
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`ferry: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`ferry ${command.name}: ${e.message}\n\n${command.usage}`);
      return 2;
    }
    throw e;
  }
}
