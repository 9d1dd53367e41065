import type { NodeId, VmId } from '../model/index.js';

/**
 * A constraint instance: which catalogue entry (`id`, the BtrPlace JSON id), its mode and its
 * arguments (shape given by the entry's zod schema). Plain data: serialisable, comparable, hashable.
 */
export interface Constraint<Args = Record<string, unknown>> {
  readonly id: string;
  /** true: every intermediate state and the action order are constrained; false: the final state only. */
  readonly continuous: boolean;
  readonly args: Args;
}

/** Argument kinds a constraint's script form takes; the DSL coerces script values to these. */
export type ParamKind =
  | 'vm' // one VM (a VM set argument expands to one constraint per VM where the kind is 'vm')
  | 'vms' // a set of VMs
  | 'orderedVms' // a list of VMs, order kept (seq)
  | 'node'
  | 'nodes'
  | 'vmParts' // a set of VM sets
  | 'nodeParts' // a set of node sets
  | 'int'
  | 'number'
  | 'string' // resource ids are strings: 'cpu' or "cpu"
  | 'timestamp'; // a deadline: "+hh:mm:ss" (relative), "hh:mm:ss" (wall clock), delays "+1'30", "+0:05", "90" (deadline/timestamp.ts)

/** Coerced script values handed to a script form, by parameter kind. */
export interface ParamValueByKind {
  vm: VmId;
  vms: VmId[];
  orderedVms: VmId[];
  node: NodeId;
  nodes: NodeId[];
  vmParts: VmId[][];
  nodeParts: NodeId[][];
  int: number;
  number: number;
  string: string;
  timestamp: string;
}

export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  readonly doc: string;
}
