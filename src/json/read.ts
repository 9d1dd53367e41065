/**
 * Located readers for untrusted JSON (instances, plans, constraint forms). Every reader takes the
 * raw value and its JSON path (`$.model.mapping.onlineNodes["3"].runningVMs[1]`) and either returns
 * the typed value or throws a JsonReadError naming that path. Top-level entry points catch it and
 * return a `JsonResult`, so callers never see a half-read value.
 */

export interface JsonError {
  /** JSON path of the offending value, `$` being the document root. */
  readonly path: string;
  readonly message: string;
  /** For a syntax error in JSON text: where it is, 1-based (the path is then `$`). */
  readonly line?: number;
  readonly column?: number;
}

/** One line for people: `3:17: expected ...` for a syntax error, `$.a.b: expected ...` otherwise. */
export function formatJsonError(error: JsonError): string {
  if (error.line !== undefined && error.column !== undefined) return `${error.line}:${error.column}: ${error.message}`;
  return `${error.path}: ${error.message}`;
}

export type JsonResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: JsonError };

export class JsonReadError extends Error implements JsonError {
  override name = 'JsonReadError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
  /** The bare reason, without the path prefix. */
  get reason(): string {
    return this.message.slice(this.path.length + 2);
  }
}

/** Runs a reader, turning a JsonReadError into a located error result. Other errors propagate. */
export function readJson<T>(read: () => T): JsonResult<T> {
  try {
    return { ok: true, value: read() };
  } catch (e) {
    if (e instanceof JsonReadError) return { ok: false, error: { path: e.path, message: e.reason } };
    throw e;
  }
}

/** `path.key` or `path["odd key"]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return isIdentifier(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Identifier field names seen so far (readers ask for the same few names thousands of times). */
const identifierKeys = new Set<string>();

function isIdentifier(key: string): boolean {
  if (identifierKeys.has(key)) return true;
  const identifier = /^[A-Za-z_$][\w$]*$/.test(key);
  if (identifier && identifierKeys.size < 256) identifierKeys.add(key);
  return identifier;
}

function describe(raw: unknown): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'an array';
  if (typeof raw === 'string') return `the string ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)}`;
  return `${typeof raw === 'object' ? 'an object' : `${typeof raw} ${String(raw)}`}`;
}

export function readObject(raw: unknown, path: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new JsonReadError(path, `expected an object, found ${describe(raw)}`);
  return raw as Record<string, unknown>;
}

export function readArray(raw: unknown, path: string): unknown[] {
  if (!Array.isArray(raw)) throw new JsonReadError(path, `expected an array, found ${describe(raw)}`);
  return raw;
}

/** A required field of an object. */
export function field(obj: Record<string, unknown>, key: string, path: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) throw new JsonReadError(childPath(path, key), 'required field is missing');
  return obj[key];
}

/** An integer JSON can carry exactly: 1e308 is an "integer" to Number.isInteger, and made plans end in 10^304 s. */
export function readInt(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw new JsonReadError(path, `expected an integer, found ${describe(raw)}`);
  if (!Number.isSafeInteger(raw)) throw new JsonReadError(path, `expected an integer, found ${raw}: out of range (at most ${Number.MAX_SAFE_INTEGER} in magnitude)`);
  return raw;
}

export function readNonNegativeInt(raw: unknown, path: string): number {
  const n = readInt(raw, path);
  if (n < 0) throw new JsonReadError(path, `expected a non-negative integer, found ${n}`);
  return n;
}

export function readNumber(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new JsonReadError(path, `expected a number, found ${describe(raw)}`);
  return raw;
}

export function readString(raw: unknown, path: string): string {
  if (typeof raw !== 'string') throw new JsonReadError(path, `expected a string, found ${describe(raw)}`);
  return raw;
}

export function readBoolean(raw: unknown, path: string): boolean {
  if (typeof raw !== 'boolean') throw new JsonReadError(path, `expected true or false, found ${describe(raw)}`);
  return raw;
}

/** An optional field: `fallback` when absent, else read with `read`. */
export function optionalField<T>(obj: Record<string, unknown>, key: string, path: string, read: (raw: unknown, path: string) => T, fallback: T): T {
  return Object.prototype.hasOwnProperty.call(obj, key) ? read(obj[key], childPath(path, key)) : fallback;
}

/** Element ids (VM or node): non-negative integers. */
export function readIdArray(raw: unknown, path: string): number[] {
  const list = readArray(raw, path);
  // Hot on big instances (an `among` lists thousands of nodes): the path is built only on error.
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) readNonNegativeInt(v, childPath(path, i));
  }
  return list.slice() as number[];
}

export function readIdArrayArray(raw: unknown, path: string): number[][] {
  const list = readArray(raw, path);
  const out: number[][] = [];
  for (let i = 0; i < list.length; i++) out.push(readIdArray(list[i], childPath(path, i)));
  return out;
}

/** An object key that must be an element id (`"onlineNodes": {"3": ...}`). */
export function readIdKey(key: string, path: string): number {
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new JsonReadError(childPath(path, key), `expected an element id as key, found ${JSON.stringify(key)}`);
  return Number(key);
}

// ---- JSON text ------------------------------------------------------------------------------

/**
 * Parses JSON text. A syntax error comes back with its line and column (1-based, path `$`): the
 * native parser finds it fast, then a small scanner re-reads the text to say where and why in the
 * same words on every Node version (V8's messages vary and sometimes give no position at all).
 * A leading UTF-8 byte order mark is ignored.
 */
export function parseJsonText(text: string): JsonResult<unknown> {
  const from = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  try {
    return { ok: true, value: JSON.parse(from === 0 ? text : text.slice(1)) as unknown };
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const found = locateJsonSyntaxError(text, from) ?? { offset: nativeErrorOffset(e.message, from), message: e.message };
    const { line, column } = lineAndColumn(text, found.offset, from);
    return { ok: false, error: { path: '$', message: found.message, line, column } };
  }
}

/** 1-based line and column of a UTF-16 offset (a leading byte order mark does not count). */
export function lineAndColumn(text: string, offset: number, bomLength = 0): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column = offset - lineStart + 1 - (line === 1 ? bomLength : 0);
  return { line, column: Math.max(column, 1) };
}

function nativeErrorOffset(message: string, from: number): number {
  const m = /position (\d+)/.exec(message);
  return m?.[1] === undefined ? from : Number(m[1]) + from;
}

const enum Expect {
  Value,
  ValueOrClose,
  Key,
  KeyOrClose,
  Colon,
  CommaOrClose,
  End,
}

const EXPECTED_WORDS: Record<Expect, string> = {
  [Expect.Value]: 'a value',
  [Expect.ValueOrClose]: "a value or ']'",
  [Expect.Key]: 'a property name in double quotes',
  [Expect.KeyOrClose]: "a property name in double quotes or '}'",
  [Expect.Colon]: "':' after the property name",
  [Expect.CommaOrClose]: "',' or a closing bracket",
  [Expect.End]: 'nothing more',
};

interface SyntaxProblem {
  offset: number;
  message: string;
}

function charWords(text: string, offset: number): string {
  const c = text.codePointAt(offset) ?? 0;
  if (c >= 0x21 && c <= 0x7e) return `'${String.fromCharCode(c)}'`;
  return `character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The first syntax error of `text` (RFC 8259 grammar), or null when the text is valid JSON. */
function locateJsonSyntaxError(text: string, from: number): SyntaxProblem | null {
  const n = text.length;
  const open: number[] = []; // 0x7b '{' or 0x5b '['
  let pos = from;
  let expect = Expect.Value;
  const afterValue = (): Expect => (open.length === 0 ? Expect.End : Expect.CommaOrClose);
  for (;;) {
    while (pos < n) {
      const w = text.charCodeAt(pos);
      if (w === 0x20 || w === 0x0a || w === 0x0d || w === 0x09) pos++;
      else break;
    }
    if (pos >= n) {
      if (expect === Expect.End) return null;
      const unclosed = open.length > 0 ? ` (${open.length} unclosed ${open.length === 1 ? 'bracket' : 'brackets'})` : '';
      const expected = expect === Expect.CommaOrClose ? `',' or '${open[open.length - 1] === 0x7b ? '}' : ']'}'` : EXPECTED_WORDS[expect];
      return { offset: n, message: `unexpected end of input, expected ${expected}${unclosed}: the document is truncated` };
    }
    const c = text.charCodeAt(pos);
    switch (expect) {
      case Expect.Value:
      case Expect.ValueOrClose: {
        if (c === 0x5d && expect === Expect.ValueOrClose) {
          open.pop();
          pos++;
          expect = afterValue();
          break;
        }
        if (c === 0x7b || c === 0x5b) {
          open.push(c);
          pos++;
          expect = c === 0x7b ? Expect.KeyOrClose : Expect.ValueOrClose;
          break;
        }
        if (c === 0x22) {
          const end = scanString(text, pos);
          if (typeof end !== 'number') return end;
          pos = end;
          expect = afterValue();
          break;
        }
        if (c === 0x2d || isDigit(c)) {
          const end = scanNumber(text, pos);
          if (typeof end !== 'number') return end;
          pos = end;
          expect = afterValue();
          break;
        }
        const literal = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : undefined;
        if (literal !== undefined) {
          if (!text.startsWith(literal, pos)) return { offset: pos, message: `invalid literal: expected '${literal}'` };
          pos += literal.length;
          expect = afterValue();
          break;
        }
        const trailing = c === 0x5d || c === 0x7d ? ' (a trailing comma is not allowed)' : '';
        return { offset: pos, message: `unexpected ${charWords(text, pos)}, expected a value (object, array, string, number, true, false or null)${trailing}` };
      }
      case Expect.Key:
      case Expect.KeyOrClose: {
        if (c === 0x7d && expect === Expect.KeyOrClose) {
          open.pop();
          pos++;
          expect = afterValue();
          break;
        }
        if (c === 0x22) {
          const end = scanString(text, pos);
          if (typeof end !== 'number') return end;
          pos = end;
          expect = Expect.Colon;
          break;
        }
        const trailing = c === 0x7d ? ' (a trailing comma is not allowed)' : '';
        return { offset: pos, message: `unexpected ${charWords(text, pos)}, expected ${EXPECTED_WORDS[expect]}${trailing}` };
      }
      case Expect.Colon:
        if (c !== 0x3a) return { offset: pos, message: `unexpected ${charWords(text, pos)}, expected ':' after the property name` };
        pos++;
        expect = Expect.Value;
        break;
      case Expect.CommaOrClose: {
        const inObject = open[open.length - 1] === 0x7b;
        if (c === 0x2c) {
          pos++;
          expect = inObject ? Expect.Key : Expect.Value;
          break;
        }
        if (c === (inObject ? 0x7d : 0x5d)) {
          open.pop();
          pos++;
          expect = afterValue();
          break;
        }
        return { offset: pos, message: `unexpected ${charWords(text, pos)}, expected ',' or '${inObject ? '}' : ']'}' after ${inObject ? 'a property value' : 'an array element'}` };
      }
      case Expect.End:
        return { offset: pos, message: `unexpected ${charWords(text, pos)} after the end of the JSON document` };
    }
  }
}

/** End offset of the string opening at `pos`, or the problem. */
function scanString(text: string, pos: number): number | SyntaxProblem {
  const n = text.length;
  let p = pos + 1;
  while (p < n) {
    const c = text.charCodeAt(p);
    if (c === 0x22) return p + 1;
    if (c === 0x5c) {
      const e = text.charCodeAt(p + 1);
      if (e === 0x75) {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(p + 2, p + 6))) return { offset: p, message: 'invalid \\u escape in a string: expected 4 hexadecimal digits' };
        p += 6;
        continue;
      }
      if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        p += 2;
        continue;
      }
      if (p + 1 >= n) break;
      return { offset: p, message: `invalid escape '\\${text.charAt(p + 1)}' in a string` };
    }
    if (c < 0x20) return { offset: p, message: `${charWords(text, p)} inside a string: control characters must be escaped (\\n, \\t, \\u0000...)` };
    p++;
  }
  return { offset: pos, message: 'unterminated string: no closing double quote before the end of the input' };
}

/** End offset of the number starting at `pos`, or the problem. */
function scanNumber(text: string, pos: number): number | SyntaxProblem {
  let p = pos;
  if (text.charCodeAt(p) === 0x2d) p++;
  const first = text.charCodeAt(p);
  if (first === 0x30) {
    p++;
    if (isDigit(text.charCodeAt(p))) return { offset: pos, message: 'invalid number: leading zeros are not allowed' };
  } else if (isDigit(first)) {
    while (isDigit(text.charCodeAt(p))) p++;
  } else {
    return { offset: p, message: `invalid number: expected a digit${p < text.length ? `, found ${charWords(text, p)}` : ''}` };
  }
  if (text.charCodeAt(p) === 0x2e) {
    p++;
    if (!isDigit(text.charCodeAt(p))) return { offset: p, message: 'invalid number: expected a digit after the decimal point' };
    while (isDigit(text.charCodeAt(p))) p++;
  }
  const e = text.charCodeAt(p);
  if (e === 0x65 || e === 0x45) {
    p++;
    const sign = text.charCodeAt(p);
    if (sign === 0x2b || sign === 0x2d) p++;
    if (!isDigit(text.charCodeAt(p))) return { offset: p, message: 'invalid number: expected a digit in the exponent' };
    while (isDigit(text.charCodeAt(p))) p++;
  }
  return p;
}
