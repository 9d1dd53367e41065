/**
 * A set of named scripts that `import` statements resolve against (BtrPlace's Includes). A script
 * is known by its namespace (`clients.app1`). `import datacenter;` names one script;
 * `import clients.*;` names every script whose namespace starts with `clients.`.
 */
import { lex } from './lexer.js';

export class ScriptLibrary {
  private readonly texts = new Map<string, string>();

  constructor(scripts: Iterable<string | { readonly id?: string; readonly text: string }> = []) {
    for (const s of scripts) {
      if (typeof s === 'string') this.add(s);
      else this.add(s.text, s.id);
    }
  }

  /**
   * Adds a script under its declared namespace (or `id` when it declares none). Returns the id it
   * is known by, or undefined when it has neither (such a script cannot be imported).
   */
  add(text: string, id?: string): string | undefined {
    const key = declaredNamespace(text) ?? id;
    if (key === undefined) return undefined;
    this.texts.set(key, text);
    return key;
  }

  text(id: string): string | undefined {
    return this.texts.get(id);
  }

  ids(): string[] {
    return [...this.texts.keys()];
  }

  /** Ids an import names: the script itself, or for `a.*` every script under `a.` (sorted). */
  match(pattern: string): string[] {
    if (pattern.endsWith('.*')) {
      const base = pattern.slice(0, -1);
      return this.ids()
        .filter((id) => id.startsWith(base))
        .sort();
    }
    return this.texts.has(pattern) ? [pattern] : [];
  }
}

/** The namespace a script declares first (`namespace a.b;`), without evaluating it. */
export function declaredNamespace(text: string): string | undefined {
  const tokens = lex(text).filter((t) => t.kind !== 'comment');
  const [kw, name] = tokens;
  if (kw?.kind === 'identifier' && kw.text === 'namespace' && name?.kind === 'identifier' && !name.text.endsWith('*')) return name.text;
  return undefined;
}
