/**
 * The btrpsl lexer: text → tokens with offsets, comments kept (the formatter and the highlighter
 * need them). It never fails: a character it cannot read becomes an `invalid` token the parser
 * reports. Token shapes follow BtrPlace's ANTLR grammar (ANTLRBtrplaceSL2.g):
 * - identifiers `VM1`, `clients.app1.VM1`, `clients.*` (import patterns);
 * - node names `@N1`, `@helios-12.sophia.grid5000.fr`; a node-range head `@srv-` directly followed
 *   by `[` keeps its trailing `-`/`.`/`_`;
 * - variables `$x`, `$datacenter.racks`;
 * - numbers: decimal, octal `0600`, hexadecimal `0xff`, floats `0.5` (`1..3` is a number, `..`, a number);
 * - strings in double quotes (BtrPlace) or single quotes (Ferry's seed uses `'cpu'`);
 * - `]` with a directly attached suffix (`].sophia.grid5000.fr`) carries that suffix in `suffix`.
 */

export type TokenKind =
  | 'identifier'
  | 'node'
  | 'variable'
  | 'number'
  | 'string'
  | 'operator'
  | 'punctuation'
  | 'comment'
  | 'blank'
  | 'invalid'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** 1-based position of `start` */
  readonly line: number;
  readonly column: number;
  /** `]` only: the suffix glued to it (`.sophia.grid5000.fr`), else ''. */
  readonly suffix?: string;
  /** numbers only */
  readonly numberBase?: 8 | 10 | 16;
  readonly isFloat?: boolean;
  /** strings only: the decoded value; `unterminated` when the closing quote is missing */
  readonly value?: string;
  readonly unterminated?: boolean;
}

const OPERATORS = ['>>', '>=', '<=', '==', '!=', '&&', '||', '..', '+=', '-=', '*=', '/=', '%=', '=', '+', '-', '*', '/', '%', '^', '>', '<', '!', ':', '#'];
const PUNCTUATION = new Set(['(', ')', '{', '}', '[', ']', ',', ';']);

const isLetter = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c: string | undefined): boolean => isLetter(c) || isDigit(c);

/** Every token of `text`, comments included, ending with one `eof` token. */
export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  // tokens arrive in order: positions are found by scanning forward once
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  const push = (token: Omit<Token, 'line' | 'column'>): void => {
    for (; scanned < token.start; scanned++) {
      if (text.charCodeAt(scanned) === 10) {
        line++;
        lineStart = scanned + 1;
      }
    }
    const positioned = token as { line?: number; column?: number };
    positioned.line = line;
    positioned.column = token.start - lineStart + 1;
    tokens.push(positioned as Token);
  };

  while (i < n) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff') {
      i++;
      continue;
    }
    const start = i;

    // comments
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      const end = text[i - 1] === '\r' ? i - 1 : i;
      push({ kind: 'comment', text: text.slice(start, end), start, end });
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      push({ kind: 'comment', text: text.slice(start, i), start, end: i, ...(close < 0 ? { unterminated: true } : {}) });
      continue;
    }

    // strings
    if (c === '"' || c === "'") {
      i++;
      let value = '';
      let closed = false;
      while (i < n) {
        const ch = text[i] as string;
        if (ch === c) {
          closed = true;
          i++;
          break;
        }
        if (ch === '\n') break;
        if (ch === '\\' && i + 1 < n) {
          const e = text[i + 1] as string;
          value += ESCAPES[e] ?? e;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      push({ kind: 'string', text: text.slice(start, i), start, end: i, value, ...(closed ? {} : { unterminated: true }) });
      continue;
    }

    // numbers
    if (isDigit(c)) {
      i = lexNumber(text, i, push);
      continue;
    }

    // identifiers (possibly qualified: a.b.c, or an import pattern a.b.*)
    if (isLetter(c)) {
      i++;
      while (i < n && (isAlnum(text[i]) || text[i] === '_')) i++;
      while (text[i] === '.') {
        if (isLetter(text[i + 1])) {
          i += 2;
          while (i < n && (isAlnum(text[i]) || text[i] === '_')) i++;
        } else if (text[i + 1] === '*') {
          i += 2;
          break;
        } else break;
      }
      push({ kind: 'identifier', text: text.slice(start, i), start, end: i });
      continue;
    }

    // node names
    if (c === '@') {
      i++;
      while (i < n && (isAlnum(text[i]) || text[i] === '-' || text[i] === '_' || text[i] === '.')) i++;
      if (text[i] !== '[') {
        // a name cannot end with a separator: give it back ('@N1-' then '-' is a minus)
        while (i > start + 1 && /[-_.]/.test(text[i - 1] as string)) i--;
      }
      push({ kind: i === start + 1 ? 'invalid' : 'node', text: text.slice(start, i), start, end: i });
      continue;
    }

    // variables
    if (c === '$') {
      i++;
      if (isLetter(text[i])) {
        i++;
        for (;;) {
          if (isAlnum(text[i])) i++;
          else if ((text[i] === '_' || text[i] === '.') && isAlnum(text[i + 1])) i += 2;
          else break;
        }
        push({ kind: 'variable', text: text.slice(start, i), start, end: i });
      } else push({ kind: 'invalid', text: '$', start, end: i });
      continue;
    }

    if (c === '_' && !isAlnum(text[i + 1]) && text[i + 1] !== '_') {
      i++;
      push({ kind: 'blank', text: '_', start, end: i });
      continue;
    }

    if (c === ']') {
      i++;
      // BtrPlace's RIGHT token: ']' (('.'|'_'|'-')? (Letter|Digit))*
      for (;;) {
        if (isAlnum(text[i])) i++;
        else if ((text[i] === '.' || text[i] === '_' || text[i] === '-') && isAlnum(text[i + 1])) i += 2;
        else break;
      }
      push({ kind: 'punctuation', text: text.slice(start, i), start, end: i, suffix: text.slice(start + 1, i) });
      continue;
    }

    if (PUNCTUATION.has(c)) {
      i++;
      push({ kind: 'punctuation', text: c, start, end: i });
      continue;
    }

    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      i += op.length;
      push({ kind: 'operator', text: op, start, end: i });
      continue;
    }

    // anything else: one invalid token per run of unknown characters
    i++;
    while (i < n && !/[\s\w@$"'(){}[\],;=+\-*/%^<>!:#&|.]/.test(text[i] as string)) i++;
    push({ kind: 'invalid', text: text.slice(start, i), start, end: i });
  }
  push({ kind: 'eof', text: '', start: n, end: n });
  return tokens;
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', "'": "'", '\\': '\\' };

function lexNumber(text: string, start: number, push: (t: Omit<Token, 'line' | 'column'>) => void): number {
  let i = start;
  const n = text.length;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text[i + 2] ?? '')) {
    i += 2;
    while (i < n && /[0-9a-fA-F]/.test(text[i] as string)) i++;
    push({ kind: 'number', text: text.slice(start, i), start, end: i, numberBase: 16 });
    return i;
  }
  while (i < n && isDigit(text[i])) i++;
  if (text[i] === '.' && isDigit(text[i + 1])) {
    i++;
    while (i < n && isDigit(text[i])) i++;
    push({ kind: 'number', text: text.slice(start, i), start, end: i, numberBase: 10, isFloat: true });
    return i;
  }
  const digits = text.slice(start, i);
  // BtrPlace: '0' followed by octal digits is octal; '08' is not a number it can read
  const base = digits.length > 1 && digits.startsWith('0') ? 8 : 10;
  push({ kind: 'number', text: digits, start, end: i, numberBase: base });
  return i;
}

/** Decodes an integer/float token; octal digits 8/9 give NaN (reported by the parser). */
export function numberValue(token: Pick<Token, 'text' | 'isFloat' | 'numberBase'>): number {
  if (token.isFloat) return Number.parseFloat(token.text);
  if (token.numberBase === 16) return Number.parseInt(token.text.slice(2), 16);
  if (token.numberBase === 8) return /^[0-7]+$/.test(token.text) ? Number.parseInt(token.text, 8) : Number.NaN;
  return Number.parseInt(token.text, 10);
}

export const KEYWORDS = new Set(['namespace', 'import', 'export', 'to', 'for', 'in', 'if', 'else']);
