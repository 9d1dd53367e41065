import type { NamedAction } from '../cluster/ports.js';

import { safeName } from '../text/safe.js';

/** Steps in operator words, for the terminal, the console and reports; names through safeName. */
export { safeName };

export function describeNamedAction(a: NamedAction): string {
  const n = safeName;
  switch (a.kind) {
    case 'migrateVM':
      return `migrate ${n(a.vm)} ${n(a.from)} → ${n(a.to)}`;
    case 'bootVM':
      return `boot ${n(a.vm)} on ${n(a.node)}`;
    case 'shutdownVM':
      return `shut down ${n(a.vm)} on ${n(a.node)}`;
    case 'suspendVM':
      return `suspend ${n(a.vm)} on ${n(a.from)}`;
    case 'resumeVM':
      return a.from === a.to ? `resume ${n(a.vm)} on ${n(a.to)}` : `resume ${n(a.vm)} ${n(a.from)} → ${n(a.to)}`;
    case 'killVM':
      return a.node === null ? `kill ${n(a.vm)}` : `kill ${n(a.vm)} on ${n(a.node)}`;
    case 'forgeVM':
      return `forge ${n(a.vm)}`;
    case 'bootNode':
      return `power on ${n(a.node)}`;
    case 'shutdownNode':
      return `power off ${n(a.node)}`;
    case 'allocate':
      return `set ${n(a.rc)} of ${n(a.vm)} to ${a.amount} on ${n(a.node)}`;
  }
}
