/**
 * A small, strict XML reader for libvirt's own documents (`virsh capabilities`): elements,
 * attributes in single or double quotes, text, comments, the XML declaration and the five
 * predefined entities. Anything else (a DOCTYPE, a CDATA section, a tag left open, an unknown
 * entity, a second root) is an error located by line and column. It never throws and keeps its
 * work linear in the input, so a hostile host cannot make it blow up.
 */
import { type Parsed, excerpt, parsed } from './parse.js';

export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own text (its children's text excluded), entities decoded, trimmed. */
  readonly text: string;
  /** 1-based line of the start tag. */
  readonly line: number;
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const MAX_DEPTH = 64;

interface Building {
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
}

export function parseXml(command: string, source: string): Parsed<XmlElement> {
  const reader = new Reader(command, source);
  return reader.document();
}

class Reader {
  private pos = 0;
  private failure: string | null = null;

  constructor(
    private readonly command: string,
    private readonly src: string,
  ) {}

  document(): Parsed<XmlElement> {
    const stack: Building[] = [];
    let root: XmlElement | null = null;
    while (this.pos < this.src.length && this.failure === null) {
      const lt = this.src.indexOf('<', this.pos);
      const textEnd = lt < 0 ? this.src.length : lt;
      const text = this.src.slice(this.pos, textEnd);
      if (text.trim() !== '') {
        const top = stack[stack.length - 1];
        if (!top) return this.fail(this.pos, `text outside the root element: ${excerpt(text.trim())}`);
        const decoded = this.decode(text, this.pos);
        if (decoded === null) break;
        top.text += decoded;
      }
      this.pos = textEnd;
      if (lt < 0) break;
      if (this.src.startsWith('<!--', lt)) {
        const end = this.src.indexOf('-->', lt + 4);
        if (end < 0) return this.fail(lt, 'a comment is never closed');
        this.pos = end + 3;
      } else if (this.src.startsWith('<?', lt)) {
        const end = this.src.indexOf('?>', lt + 2);
        if (end < 0 || root !== null || stack.length > 0) return this.fail(lt, 'misplaced or unclosed <?…?> declaration');
        this.pos = end + 2;
      } else if (this.src.startsWith('<!', lt)) {
        return this.fail(lt, 'DOCTYPE and CDATA sections are not accepted');
      } else if (this.src.startsWith('</', lt)) {
        this.pos = lt + 2;
        const name = this.name();
        if (name === null) break;
        this.skipSpace();
        if (this.src[this.pos] !== '>') return this.fail(this.pos, `expected '>' to close </${name}`);
        this.pos++;
        const open = stack.pop();
        if (!open || open.name !== name) return this.fail(lt, open ? `</${name}> closes <${open.name}> (line ${open.line})` : `</${name}> closes nothing`);
        const done: XmlElement = { name: open.name, attributes: open.attributes, children: open.children, text: open.text.trim(), line: open.line };
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(done);
        else root = done;
      } else {
        if (root !== null) return this.fail(lt, 'a second root element');
        if (stack.length >= MAX_DEPTH) return this.fail(lt, `elements nested deeper than ${MAX_DEPTH}`);
        const element = this.startTag(lt);
        if (element === null) break;
        if (element.selfClosing) {
          const done: XmlElement = { name: element.name, attributes: element.attributes, children: [], text: '', line: element.line };
          const parent = stack[stack.length - 1];
          if (parent) parent.children.push(done);
          else root = done;
        } else stack.push({ name: element.name, attributes: element.attributes, children: [], text: '', line: element.line });
      }
    }
    if (this.failure !== null) return { ok: false, error: this.failure };
    const open = stack[stack.length - 1];
    if (open) return this.fail(this.src.length, `<${open.name}> (line ${open.line}) is never closed`);
    if (root === null) return this.fail(0, 'no XML element at all');
    return parsed(root);
  }

  private startTag(lt: number): { name: string; attributes: Map<string, string>; selfClosing: boolean; line: number } | null {
    this.pos = lt + 1;
    const line = this.locate(lt).line;
    const name = this.name();
    if (name === null) return null;
    const attributes = new Map<string, string>();
    for (;;) {
      const hadSpace = this.skipSpace();
      const c = this.src[this.pos];
      if (c === '>') {
        this.pos++;
        return { name, attributes, selfClosing: false, line };
      }
      if (c === '/' && this.src[this.pos + 1] === '>') {
        this.pos += 2;
        return { name, attributes, selfClosing: true, line };
      }
      if (!hadSpace) return this.failNull(this.pos, `expected an attribute, '>' or '/>' in <${name}>`);
      const attr = this.name();
      if (attr === null) return null;
      if (this.src[this.pos] !== '=') return this.failNull(this.pos, `expected '=' after attribute ${attr}`);
      const quote = this.src[this.pos + 1];
      if (quote !== '"' && quote !== "'") return this.failNull(this.pos + 1, `attribute ${attr}: expected a quoted value`);
      const end = this.src.indexOf(quote, this.pos + 2);
      if (end < 0) return this.failNull(this.pos + 1, `attribute ${attr}: the value is never closed`);
      const raw = this.src.slice(this.pos + 2, end);
      if (raw.includes('<')) return this.failNull(this.pos + 2, `attribute ${attr}: '<' in a value`);
      const value = this.decode(raw, this.pos + 2);
      if (value === null) return null;
      if (attributes.has(attr)) return this.failNull(this.pos, `attribute ${attr} given twice`);
      attributes.set(attr, value);
      this.pos = end + 1;
    }
  }

  private name(): string | null {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.src);
    if (!m) return this.failNull(this.pos, `expected a name, got ${excerpt(this.src.slice(this.pos, this.pos + 10))}`);
    this.pos += m[0].length;
    return m[0];
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.src.length && ' \t\r\n'.includes(this.src[this.pos] ?? '')) this.pos++;
    return this.pos > start;
  }

  private decode(text: string, at: number): string | null {
    let out = '';
    let i = 0;
    for (;;) {
      const amp = text.indexOf('&', i);
      if (amp < 0) return out + text.slice(i);
      out += text.slice(i, amp);
      const semi = text.indexOf(';', amp);
      const name = semi < 0 ? '' : text.slice(amp + 1, semi);
      const numeric = /^#(x[0-9a-fA-F]{1,6}|\d{1,7})$/.exec(name);
      if (numeric) {
        const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        if (code > 0x10ffff) return this.failNull(at + amp, `character reference &${name}; is out of range`);
        out += String.fromCodePoint(code);
      } else {
        const entity = ENTITIES[name];
        if (entity === undefined) return this.failNull(at + amp, `unknown entity ${excerpt(text.slice(amp, amp + 12))}`);
        out += entity;
      }
      i = semi + 1;
    }
  }

  private locate(offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < this.src.length; i++) {
      if (this.src.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    return { line, column: offset - lineStart + 1 };
  }

  private fail(offset: number, message: string): Parsed<never> {
    this.failNull(offset, message);
    return { ok: false, error: this.failure ?? message };
  }

  private failNull(offset: number, message: string): null {
    if (this.failure === null) {
      const { line, column } = this.locate(offset);
      this.failure = `${this.command} output, line ${line}:${column}: ${message}`;
    }
    return null;
  }
}

/** The first child of `element` named `name`. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** Follows a path of child names from `element`. */
export function path(element: XmlElement, ...names: string[]): XmlElement | undefined {
  let at: XmlElement | undefined = element;
  for (const n of names) at = at === undefined ? undefined : child(at, n);
  return at;
}
