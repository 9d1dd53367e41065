/**
 * The shared shape of the `virsh` output parsers: a value, or an error located in the output
 * (which command, which line). Output comes from a remote host and is untrusted: parsers never
 * throw, and an error quotes at most a bounded excerpt of the offending line.
 */

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export function parsed<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** An error naming the command and the 1-based line of its output. */
export function parseError(command: string, line: number | null, message: string): Parsed<never> {
  return { ok: false, error: `${command} output${line === null ? '' : `, line ${line}`}: ${message}` };
}

/** A bounded, printable excerpt of an untrusted line (control characters shown as U+FFFD). */
export function excerpt(text: string, max = 60): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}…` : clean);
}

/** The lines of an output, without the trailing newline and with Windows line ends tolerated. */
export function linesOf(output: string): string[] {
  const lines = output.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A non-negative integer written in decimal digits only (no sign, no exponent, no fraction). */
export function naturalNumber(text: string): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * `Label:   value` lines (nodeinfo, dominfo, domjobinfo, nodememstats): every non-blank line must
 * have the separator; labels are trimmed. A later duplicate label is an error (garbage, not data).
 */
export function labelledLines(command: string, output: string, separator = ':'): Parsed<Map<string, { value: string; line: number }>> {
  const fields = new Map<string, { value: string; line: number }>();
  const lines = linesOf(output);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const at = line.indexOf(separator);
    if (at <= 0) return parseError(command, i + 1, `expected 'label${separator} value', got ${excerpt(line)}`);
    const label = line.slice(0, at).trim();
    if (fields.has(label)) return parseError(command, i + 1, `label ${excerpt(label)} appears twice`);
    fields.set(label, { value: line.slice(at + 1).trim(), line: i + 1 });
  }
  return parsed(fields);
}

/** `4548824 KiB` (or another binary unit) → KiB; undefined when it is not such an amount. */
export function kibOf(text: string): number | undefined {
  const m = /^(\d{1,16})\s*(B|bytes|KiB|MiB|GiB|TiB)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = naturalNumber(m[1] ?? '');
  if (n === undefined) return undefined;
  const factor: Record<string, number> = { B: 1 / 1024, bytes: 1 / 1024, KiB: 1, MiB: 1024, GiB: 1024 ** 2, TiB: 1024 ** 3 };
  return n * (factor[m[2] ?? 'KiB'] ?? 1);
}
