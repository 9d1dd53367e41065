/**
 * Remote commands as one POSIX shell line: every argument single-quoted (VM names come from the
 * cluster and are untrusted), and every command run under `LC_ALL=C` so that virsh's output is
 * the untranslated format the parsers read.
 */

/** `it's` → `'it'\''s'`: safe for any byte string a POSIX shell reads. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('an argument cannot hold a NUL byte');
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `LC_ALL=C virsh -c URI <args…>`, every argument quoted. */
export function virshCommand(uri: string, args: readonly string[]): string {
  return localeC(['virsh', '-c', uri, ...args]);
}

/** Any command under `LC_ALL=C`, every argument quoted. */
export function localeC(argv: readonly string[]): string {
  return `LC_ALL=C ${argv.map(shellQuote).join(' ')}`;
}

/**
 * Fills `{name}` placeholders of an operator's command template (power commands) with quoted
 * values: a value can never end the argument it stands for. Unknown placeholders are an error.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`the command template uses {${key}}, which this host does not define`);
    return shellQuote(value);
  });
}

/** Fills `{address}`-style placeholders of a URI, unquoted (it is then quoted as one argument). */
export function fillUri(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}
