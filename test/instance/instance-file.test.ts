import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { type FileError, formatFileError, readInstanceFile, readModelFile, writeInstanceFile, writeModelFile } from '../../main/node/instance-file.js';

const SEED_PATH = join(import.meta.dirname, '..', 'fixtures', 'instances', 'seed.json');
const SEED = readFileSync(SEED_PATH, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'ferry-instance-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function errorOf(promise: Promise<{ ok: true } | { ok: false; error: FileError }>): Promise<FileError> {
  const result = await promise;
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

describe('readInstanceFile', () => {
  it('reads plain JSON', async () => {
    const result = await readInstanceFile(SEED_PATH);
    expect(result.ok && result.value.model.mapping.vmCount()).toBe(6);
  });

  it('recognises gzip by its magic bytes, not by the file name', async () => {
    const gzippedAsJson = file('seed-gzipped.json', gzipSync(SEED));
    const plainAsGz = file('seed-plain.json.gz', SEED);
    const a = await readInstanceFile(gzippedAsJson);
    const b = await readInstanceFile(plainAsGz);
    expect(a.ok && b.ok && a.value.model.equals(b.value.model)).toBe(true);
  });

  it('reads a model file', async () => {
    const path = file('model.json', JSON.stringify((JSON.parse(SEED) as { model: unknown }).model));
    const result = await readModelFile(path);
    expect(result.ok && result.value.resources.size).toBe(2);
  });

  it('names the file when it does not exist', async () => {
    const missing = join(dir, 'nope.json');
    const error = await errorOf(readInstanceFile(missing));
    expect(formatFileError(error)).toBe(`${missing}: no such file`);
  });

  it('names the file when it is a directory', async () => {
    const error = await errorOf(readInstanceFile(dir));
    expect(formatFileError(error)).toBe(`${dir}: a directory, not a file`);
  });

  it('says when a gzip stream is corrupt', async () => {
    const gz = gzipSync(SEED);
    const corrupt = file('corrupt.json.gz', gz.subarray(0, gz.length / 2));
    const error = await errorOf(readInstanceFile(corrupt));
    expect(error.file).toBe(corrupt);
    expect(error.message).toMatch(/looks gzipped but cannot be decompressed/);
  });

  it('refuses invalid UTF-8', async () => {
    const bad = file('latin1.json', Uint8Array.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    const error = await errorOf(readInstanceFile(bad));
    expect(error.message).toMatch(/not valid UTF-8/);
  });

  it('gives file:line:column for a syntax error, also inside a gzipped file', async () => {
    const truncated = file('truncated.json.gz', gzipSync('{\n  "model": {\n    "mapping": '));
    const error = await errorOf(readInstanceFile(truncated));
    expect(error).toMatchObject({ file: truncated, line: 3, column: 16 });
    expect(formatFileError(error)).toMatch(new RegExp(`^${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:16: invalid JSON: unexpected end of input`));
  });

  it('gives file: path: reason for a structure error', async () => {
    const json = JSON.parse(SEED) as { model: { mapping: { offlineNodes: number[] } } };
    json.model.mapping.offlineNodes.push(3);
    const path = file('offline.json', JSON.stringify(json));
    const error = await errorOf(readInstanceFile(path));
    expect(formatFileError(error)).toBe(
      `${path}: $.model.mapping.onlineNodes["3"]: node#3 is also listed in offlineNodes: a node is online or offline, and an offline node hosts no VM`,
    );
  });
});

describe('writeInstanceFile', () => {
  it('writes what reads back equal, plain or gzipped, and leaves no temporary file', async () => {
    const read = await readInstanceFile(SEED_PATH);
    if (!read.ok) throw new Error(formatFileError(read.error));
    const out = join(dir, 'out');
    rmSync(out, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(out);
    await writeInstanceFile(join(out, 'plain.json'), read.value);
    await writeInstanceFile(join(out, 'auto.json.gz'), read.value);
    await writeInstanceFile(join(out, 'forced.json'), read.value, { gzip: true, pretty: true });
    expect(readFileSync(join(out, 'plain.json'))[0]).toBe(0x7b);
    expect([...readFileSync(join(out, 'auto.json.gz')).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect([...readFileSync(join(out, 'forced.json')).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    for (const name of ['plain.json', 'auto.json.gz', 'forced.json']) {
      const back = await readInstanceFile(join(out, name));
      expect(back.ok && back.value.model.equals(read.value.model)).toBe(true);
    }
    expect(readdirSync(out).sort()).toEqual(['auto.json.gz', 'forced.json', 'plain.json']);
  });

  it('replaces an existing file whole', async () => {
    const read = await readInstanceFile(SEED_PATH);
    if (!read.ok) throw new Error(formatFileError(read.error));
    const target = file('replace.json', 'x'.repeat(100_000));
    await writeModelFile(target, read.value.model);
    const back = await readModelFile(target);
    expect(back.ok && back.value.equals(read.value.model)).toBe(true);
  });

  it('fails cleanly when the directory does not exist', async () => {
    const read = await readInstanceFile(SEED_PATH);
    if (!read.ok) throw new Error(formatFileError(read.error));
    await expect(writeInstanceFile(join(dir, 'missing-dir', 'x.json'), read.value)).rejects.toThrow(/ENOENT/);
  });
});
