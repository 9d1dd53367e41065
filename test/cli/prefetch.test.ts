import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { runCli } from '../../main/cli/index.js';
import { formatFileError, prefetchJsonText, readInstanceFile, readJsonText } from '../../main/node/instance-file.js';

const SEED = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'instances', 'seed.json'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'ferry-prefetch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prefetchJsonText (reading the instance while the command loads)', () => {
  it('gives the next read of the file what a fresh read gives, once', async () => {
    const file = join(dir, 'seed.json.gz');
    writeFileSync(file, gzipSync(SEED));
    prefetchJsonText(file);
    const early = await readInstanceFile(file);
    const fresh = await readInstanceFile(file);
    expect(early.ok && fresh.ok && early.value.model.equals(fresh.value.model)).toBe(true);
    // taken once: a later read sees the file as it is then
    prefetchJsonText(file);
    expect(await readJsonText(file)).toEqual({ ok: true, value: SEED });
    writeFileSync(file, '{"changed": true}');
    expect(await readJsonText(file)).toEqual({ ok: true, value: '{"changed": true}' });
  });

  it('keeps the error of a file that cannot be read', async () => {
    const missing = join(dir, 'missing.json');
    prefetchJsonText(missing);
    const early = await readInstanceFile(missing);
    const fresh = await readInstanceFile(missing);
    expect(early).toEqual(fresh);
    expect(early.ok ? '' : formatFileError(early.error)).toBe(`${missing}: no such file`);
  });

  it('ferry plan finds its instance after options, and reports an unreadable one', async () => {
    let err = '';
    const code = await runCli(['plan', '--format', 'json', '--time-limit', '1', join(dir, 'absent.json')], { out: () => undefined, err: (t) => (err += t) });
    expect(code).toBe(1);
    expect(err).toBe(`${join(dir, 'absent.json')}: no such file`);
  });
});
