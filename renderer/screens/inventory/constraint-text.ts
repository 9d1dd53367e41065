import { KEYWORDS, lex } from '../../../src/dsl/lexer.js';

/**
 * The statements inventory actions write. Names go into a script only when btrpsl reads them back
 * as the same one token (src/dsl's lexer decides): a VM called `web-1` or `<img …>` cannot be
 * written in btrpsl, and the action says so instead of writing something else.
 */

export type ScriptText = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly why: string };

/** `@name` when btrpsl reads it as this node, else undefined. */
export function nodeRef(name: string): string | undefined {
  const text = `@${name}`;
  const tokens = lex(text).filter((t) => t.kind !== 'eof');
  return tokens.length === 1 && tokens[0]?.kind === 'node' && tokens[0].text === text ? text : undefined;
}

/** The VM's name when btrpsl reads it as this one identifier, else undefined. */
export function vmRef(name: string): string | undefined {
  const tokens = lex(name).filter((t) => t.kind !== 'eof');
  return tokens.length === 1 && tokens[0]?.kind === 'identifier' && tokens[0].text === name && !KEYWORDS.has(name) && !name.includes('*') ? name : undefined;
}

function unwritable(kind: 'VM' | 'node', name: string): ScriptText {
  return { ok: false, why: `the ${kind} name ${JSON.stringify(name)} cannot be written in btrpsl (it is not one name token); write the constraint in JSON instead` };
}

/** "Drain for maintenance": the node goes offline (its VMs leave, then it powers off). */
export function drainText(node: string): ScriptText {
  const ref = nodeRef(node);
  return ref ? { ok: true, text: `offline(${ref});` } : unwritable('node', node);
}

/** "Never move": the VM stays where it is. */
export function neverMoveText(vm: string): ScriptText {
  const ref = vmRef(vm);
  return ref ? { ok: true, text: `root(${ref});` } : unwritable('VM', vm);
}

/** "Keep apart": the VMs never share a host, not even during a migration. */
export function keepApartText(vms: readonly string[]): ScriptText {
  if (vms.length < 2) return { ok: false, why: 'select at least two VMs to keep apart' };
  const refs: string[] = [];
  for (const vm of vms) {
    const ref = vmRef(vm);
    if (!ref) return unwritable('VM', vm);
    refs.push(ref);
  }
  return { ok: true, text: `spread({${refs.join(', ')}});` };
}

/** "Pin to…": the VM may only run on these nodes. */
export function pinText(vm: string, nodes: readonly string[]): ScriptText {
  const ref = vmRef(vm);
  if (!ref) return unwritable('VM', vm);
  if (nodes.length === 0) return { ok: false, why: 'choose at least one node' };
  const refs: string[] = [];
  for (const n of nodes) {
    const r = nodeRef(n);
    if (!r) return unwritable('node', n);
    refs.push(r);
  }
  return { ok: true, text: `fence(${ref}, {${refs.join(', ')}});` };
}
