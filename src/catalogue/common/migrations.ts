import type { VmId } from '../../model/index.js';
import type { Action, MigrateVM } from '../../plan/actions.js';

/** The migration constraints (Deadline, Precedence, Serialize, Sync) watch MigrateVM actions of their VMs only. */
export function migrationOf(a: Action, vms: ReadonlySet<VmId>): MigrateVM | undefined {
  return a.kind === 'migrateVM' && vms.has(a.vm) ? a : undefined;
}
