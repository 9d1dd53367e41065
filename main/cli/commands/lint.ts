import { readFile } from 'node:fs/promises';

import { definitionOf } from '../../../src/catalogue/registry.js';
import { type Diagnostic, LineIndex, ScriptLibrary, formatScriptResult, parseScript } from '../../../src/dsl/index.js';
import { capByKey, omittedLines } from '../../../src/text/cap.js';
import { lineExcerpt, safeName } from '../../../src/text/safe.js';
import { formatFileError, readInstanceFile } from '../../node/instance-file.js';
import { type Command, type CommandIO, UsageError } from '../command.js';

const USAGE = `usage: ferry lint SCRIPT.btrp --instance INSTANCE [--import FILE.btrp]... [--format]

Checks a btrpsl script against an instance (BtrPlace JSON, plain or gzipped): syntax, element
names (VMs and @nodes through the instance's naming views), constraint names and arguments,
resource ids. Prints each problem as 'file:line:col: error: message' with the source line and a
caret; with no error, prints a summary of the constraints the script builds.

  --instance FILE   the instance whose model the script refers to (required)
  --import FILE     a script the linted one may 'import' (repeatable; known by its namespace)
  --format          print the script in canonical layout instead (nothing is printed for a
                    script with syntax errors: they are reported and the status is 1)

exit status: 0 no error (warnings allowed), 1 errors, 2 bad command line or unreadable files.`;

export const lintCommand: Command = {
  name: 'lint',
  summary: 'check a btrpsl script against an instance, or print it formatted',
  usage: USAGE,
  async run(args, io) {
    const options = parseArgs(args);
    const text = await readText(options.script, io);
    if (text === undefined) return 2;
    const instance = await readInstanceFile(options.instance);
    if (!instance.ok) {
      io.err(formatFileError(instance.error));
      return 2;
    }
    const library = new ScriptLibrary();
    for (const file of options.imports) {
      const imported = await readText(file, io);
      if (imported === undefined) return 2;
      if (library.add(imported) === undefined) {
        io.err(`${file}: an imported script must start with 'namespace name;'`);
        return 2;
      }
    }
    const result = parseScript(text, { model: instance.value.model, library });
    const lines = new LineIndex(text);
    for (const text of renderDiagnostics(options.script, result.diagnostics, lines)) io.err(text);

    if (options.format) {
      const formatted = formatScriptResult(text);
      if (!formatted.formatted) return 1;
      io.out(formatted.text.endsWith('\n') ? formatted.text.slice(0, -1) : formatted.text);
      return result.ok ? 0 : 1;
    }
    if (!result.ok) {
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      io.err(`${options.script}: ${errors} error${errors === 1 ? '' : 's'}`);
      return 1;
    }
    io.out(summary(options.script, result.constraints, instance.value.model));
    return 0;
  },
};

/** How many diagnostics of one severity and code are printed before the rest are only counted. */
export const DIAGNOSTICS_PER_CODE = 10;

/** Every diagnostic rendered, at most DIAGNOSTICS_PER_CODE per severity and code, then the counts. */
export function renderDiagnostics(file: string, diagnostics: readonly Diagnostic[], lines: LineIndex): string[] {
  const capped = capByKey(diagnostics, (d) => `${d.severity} ${d.code}`, DIAGNOSTICS_PER_CODE);
  return [...capped.shown.map((d) => renderDiagnostic(file, d, lines)), ...omittedLines(capped.omitted).map((l) => `${file}: ${l}`)];
}

/**
 * `file:line:col: severity: message`, then the source line and a caret under the problem. The
 * source line is a bounded window around the column (a generated script can be one 2 MB line),
 * and the message and line go through safeName (a script may hold any character).
 */
export function renderDiagnostic(file: string, d: Diagnostic, lines: LineIndex): string {
  const full = lines.lineText(d.line).replace(/\t/g, ' ');
  const { text, column } = lineExcerpt(full, d.column);
  const width = d.endLine === d.line ? Math.max(1, d.endColumn - d.column) : Math.max(1, full.length - d.column + 1);
  const room = Math.max(1, text.length - column + 1);
  const caret = `${' '.repeat(Math.max(0, column - 1))}^${'~'.repeat(Math.max(0, Math.min(width, room) - 1))}`;
  return [`${file}:${d.line}:${d.column}: ${d.severity}: ${safeName(d.message)}`, `  ${safeName(text)}`, `  ${caret}`].join('\n');
}

function summary(file: string, constraints: readonly { id: string; continuous: boolean; args: Record<string, unknown> }[], model: Parameters<typeof parseScript>[1]['model']): string {
  const n = constraints.length;
  const lines = [`${file}: OK, ${n} constraint${n === 1 ? '' : 's'}`];
  const counts = new Map<string, { discrete: number; continuous: number }>();
  for (const c of constraints) {
    const entry = counts.get(c.id) ?? { discrete: 0, continuous: 0 };
    if (c.continuous) entry.continuous++;
    else entry.discrete++;
    counts.set(c.id, entry);
  }
  for (const [id, count] of counts) {
    const modes = [count.continuous > 0 ? `${count.continuous} continuous` : '', count.discrete > 0 ? `${count.discrete} discrete` : ''].filter(Boolean).join(', ');
    lines.push(`  ${id.padEnd(18)} ${String(count.continuous + count.discrete).padStart(5)}  (${modes})`);
  }
  const names = { vm: (id: number) => safeName(model.vmName(id)), node: (id: number) => safeName(model.nodeName(id)) };
  const shown = constraints.slice(0, 20);
  if (shown.length > 0) lines.push('', ...shown.map((c) => `  ${definitionOf(c.id)?.script.format(c, names) ?? c.id}`));
  if (constraints.length > shown.length) lines.push(`  ... and ${constraints.length - shown.length} more`);
  return lines.join('\n');
}

async function readText(file: string, io: CommandIO): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    io.err(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function parseArgs(args: readonly string[]): { script: string; instance: string; imports: string[]; format: boolean } {
  let script: string | undefined;
  let instance: string | undefined;
  const imports: string[] = [];
  let format = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--instance' || arg === '-i') {
      const value = args[++i];
      if (value === undefined) throw new UsageError('--instance needs a file');
      instance = value;
    } else if (arg === '--import') {
      const value = args[++i];
      if (value === undefined) throw new UsageError('--import needs a FILE.btrp');
      imports.push(value);
    } else if (arg === '--format') format = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else if (script === undefined) script = arg;
    else throw new UsageError(`unexpected argument '${arg}'`);
  }
  if (script === undefined) throw new UsageError('missing SCRIPT.btrp');
  if (instance === undefined) throw new UsageError('missing --instance INSTANCE');
  return { script, instance, imports, format };
}
