/** Recorded `virsh` output (libvirt 9.0 formats, as the test bed's hosts print them). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function recorded(name: string): string {
  // the compiled tests run from dist/test/libvirt: the fixtures stay in the source tree
  const here = path.join(dir, name);
  const source = here.replace(`${path.sep}dist${path.sep}test${path.sep}`, `${path.sep}test${path.sep}`);
  try {
    return readFileSync(here, 'utf8');
  } catch {
    return readFileSync(source, 'utf8');
  }
}
