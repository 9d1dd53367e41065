import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { type FileResult, formatFileError, readInstanceFile, readJsonText } from '../../main/node/instance-file.js';
import type { Instance } from '../../src/instance/instance.js';
import { instanceToJson, parseInstanceText } from '../../src/instance/json.js';

// readInstanceFile finds the `parts` copies of TDSC files in the bytes (src: SHARED_PARTS); it must
// read exactly what decoding the whole text and parseInstanceText read, errors included.

const dir = mkdtempSync(join(tmpdir(), 'ferry-shared-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NODES = 600; // a partition long enough to be shared (SHARED_PARTS.minLength)
const partition = JSON.stringify([Array.from({ length: NODES / 2 }, (_, i) => i), Array.from({ length: NODES / 2 }, (_, i) => NODES / 2 + i)]);

/** An instance text: NODES online nodes, a VM on each of the first four, named VMs, `among`s sharing one partition. */
function text(options: { amongs?: number; names?: string[]; tail?: string; between?: string } = {}): string {
  const online = Array.from({ length: NODES }, (_, n) => `"${n}":{"runningVMs":[${n < 4 ? n : ''}],"sleepingVMs":[]}`).join(',');
  const names = (options.names ?? ['VM0', 'VM1', 'VM2', 'VM3']).map((name, i) => `${JSON.stringify(name)}:${i}`).join(',');
  const amongs = Array.from({ length: options.amongs ?? 3 }, (_, i) => `{"id":"among","vms":[${i % 4}],"parts":${partition},"continuous":false}`);
  return `{"model":{"mapping":{"offlineNodes":[],"readyVMs":[],"onlineNodes":{${online}}},"attributes":{"nodes":{},"vms":{}},"views":[{"id":"ns","type":"vm","map":{${names}}}]},"constraints":[${amongs.join(options.between ?? ',')}${options.tail ?? ''}],"objective":{"id":"minimizeMTTR"}}`;
}

let counter = 0;
function write(content: string | Uint8Array, gzip = true): string {
  const file = join(dir, `i${counter++}.json${gzip ? '.gz' : ''}`);
  writeFileSync(file, gzip ? gzipSync(content) : content);
  return file;
}

/** The instance the whole text gives (a leading byte order mark aside). */
function sameAsText(read: FileResult<Instance>, source: string): void {
  const expected = parseInstanceText(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source);
  if (!expected.ok) throw new Error(expected.error.message);
  if (!read.ok) throw new Error(formatFileError(read.error));
  expect(JSON.stringify(instanceToJson(read.value))).toBe(JSON.stringify(instanceToJson(expected.value)));
  expect(read.value.constraints).toEqual(expected.value.constraints);
}

describe('readInstanceFile: shared parts found in the bytes', () => {
  it('reads an instance whose among constraints share one partition, gzipped or not', async () => {
    const source = text();
    for (const gzip of [true, false]) {
      const read = await readInstanceFile(write(source, gzip));
      sameAsText(read, source);
      expect(read.ok && read.value.constraints).toHaveLength(3);
    }
  });

  it('keeps non-ASCII text around the copies and skips a byte order mark', async () => {
    const source = `\ufeff${text({ names: ['é', 'VM\u2028', '日本', '😀'] })}`;
    const read = await readInstanceFile(write(Buffer.from(source, 'utf8')));
    sameAsText(read, source);
    expect(read.ok && read.value.model.vmName(3)).toBe('😀');
  });

  it('reads a single copy as the text path does', async () => {
    const source = text({ amongs: 1 });
    sameAsText(await readInstanceFile(write(source)), source);
  });

  it('reports a constraint whose parts already are the placeholder as the text path does', async () => {
    const source = text({ tail: ',{"id":"among","vms":[1],"parts":0,"continuous":false}' });
    const read = await readInstanceFile(write(source));
    const expected = parseInstanceText(source);
    expect(read.ok || expected.ok).toBe(false);
    if (!read.ok && !expected.ok) expect({ path: read.error.jsonPath, message: read.error.message }).toEqual({ path: expected.error.path, message: expected.error.message });
    if (!read.ok) expect(read.error.jsonPath).toBe('$.constraints[3].parts');
  });

  it('gives the located syntax error of the whole text', async () => {
    for (const source of [text({ tail: ',}' }), text({ between: ', ,' }), `${text()}x`]) {
      const read = await readInstanceFile(write(source));
      expect(read.ok).toBe(false);
      const expected = parseInstanceText(source);
      if (read.ok || expected.ok) continue;
      expect(read.error.line).toBe(expected.error.line);
      expect(read.error.column).toBe(expected.error.column);
      expect(read.error.message).toBe(`invalid JSON: ${expected.error.message}`);
    }
  });

  it('refuses invalid UTF-8 with the same message', async () => {
    const bytes = Buffer.concat([Buffer.from(text().slice(0, 100)), Buffer.from([0xc3, 0x28]), Buffer.from(text().slice(100))]);
    const file = write(bytes);
    const read = await readInstanceFile(file);
    const plain = await readJsonText(file);
    expect(read.ok || plain.ok).toBe(false);
    if (!read.ok && !plain.ok) expect(read.error).toEqual(plain.error);
  });
});
