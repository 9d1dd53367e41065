import type { Model } from '../model/index.js';
import type { Action } from '../plan/actions.js';
import { formatTime } from '../plan/format.js';
import { safeName } from '../text/safe.js';

/** What an action does, as a present-tense clause: `VM2 migrates from N1 to N2`. */
export function activity(model: Model, a: Action): string {
  const vm = (id: number): string => safeName(model.vmName(id));
  const node = (id: number): string => safeName(model.nodeName(id));
  switch (a.kind) {
    case 'migrateVM':
      return `${vm(a.vm)} migrates from ${node(a.from)} to ${node(a.to)}`;
    case 'bootVM':
      return `${vm(a.vm)} boots on ${node(a.node)}`;
    case 'shutdownVM':
      return `${vm(a.vm)} shuts down on ${node(a.node)}`;
    case 'suspendVM':
      return `${vm(a.vm)} is suspended on ${node(a.from)}`;
    case 'resumeVM':
      return `${vm(a.vm)} resumes on ${node(a.to)}`;
    case 'killVM':
      return `${vm(a.vm)} is killed`;
    case 'forgeVM':
      return `${vm(a.vm)} is forged`;
    case 'bootNode':
      return `${node(a.node)} boots`;
    case 'shutdownNode':
      return `${node(a.node)} shuts down`;
    case 'allocate':
      return `${vm(a.vm)} gets ${a.amount} '${safeName(a.rc)}' on ${node(a.node)}`;
  }
}

/** The parenthesis situating a problem found by a hook: `(as VM2 migrates from N1 to N2, 0'02 to 0'05)`. */
export function hookContext(model: Model, a: Action, hook: 'start' | 'end'): string {
  const when = a.end > a.start ? `${formatTime(a.start)} to ${formatTime(a.end)}` : `at ${formatTime(a.start)}`;
  return hook === 'end' ? `(at the end of: ${activity(model, a)}, ${when})` : `(as ${activity(model, a)}, ${when})`;
}

/**
 * When a rule is broken, in operator words: `at 0'03`, `from 0'02 to 0'05`, `from 0'04 to the
 * end`, `from the start to the end`.
 */
export function span(from: number, to: number | null): string {
  if (to === null) return from === 0 ? 'from the start to the end' : `from ${formatTime(from)} to the end`;
  if (to === from) return `at ${formatTime(from)}`;
  return `from ${formatTime(from)} to ${formatTime(to)}`;
}

/** Removes the `0'02: ` or `0'02 to 0'05: ` prefix the replay puts in front of its messages. */
export function withoutTimePrefix(message: string): string {
  return message.replace(/^-?(\d+:)?\d+'\d\d( to (\d+:)?\d+'\d\d)?: /, '');
}

/** How long an action lasted, after its activity clause: `in 0 s (at 0'03)`, `in 2 s (0'01 to 0'03)`. */
export function lastedWords(start: number, end: number): string {
  return `in ${end - start} s (${start === end ? `at ${formatTime(start)}` : `${formatTime(start)} to ${formatTime(end)}`})`;
}
