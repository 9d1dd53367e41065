/**
 * A demo cluster prepared before the console starts: the demo engine seeds a new state folder
 * from the instance it is given, so a test can name a VM as a hostile cluster would.
 */
import { demoDir, ensureDataDir } from '../../../main/node/data-dir.js';
import { DemoEngine, defaultFleet } from '../../../main/node/demo/index.js';

/** A name that would run script if any part of the console turned names into markup. */
export const HOSTILE_VM_NAME = '<img src=x onerror=alert(1)>';
/** The VM of the drained host r2-h3 that gets the hostile name (so it shows in the plan too). */
export const RENAMED_VM = 'vpn1';

/** Writes the demo cluster into `home` with `RENAMED_VM` renamed to `newName`. */
export function seedDemoWithVmName(home: string, newName: string = HOSTILE_VM_NAME): void {
  const seed = defaultFleet();
  const names = seed.model.vmNames;
  const id = names?.resolve(RENAMED_VM);
  if (names === undefined || id === undefined) throw new Error(`the demo fleet has no VM ${RENAMED_VM} to rename`);
  if (!names.register(newName, id)) throw new Error(`the demo fleet already has a VM named ${newName}`);
  ensureDataDir(home);
  DemoEngine.open(demoDir(home), { seed }).close();
}
