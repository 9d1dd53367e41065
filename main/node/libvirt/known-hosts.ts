/**
 * OpenSSH known_hosts, as `ssh` reads it: plain and hashed (`|1|salt|hash`) host patterns,
 * wildcards and negations, `[host]:port` for other ports, `@revoked` keys; `@cert-authority`
 * lines are not host keys and are skipped. The verdict for a key a host shows is one of: known,
 * unknown (not listed: the operator confirms its SHA256 fingerprint), changed (listed with
 * another key: refused loudly) or revoked.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface Entry {
  readonly marker: 'revoked' | null;
  readonly patterns: string;
  readonly keyType: string;
  readonly key: Buffer;
  readonly line: number;
}

export type HostKeyVerdict =
  | { readonly status: 'known' }
  | { readonly status: 'unknown'; readonly fingerprint: string; readonly keyType: string }
  | { readonly status: 'changed'; readonly fingerprint: string; readonly keyType: string; readonly expected: readonly string[]; readonly file: string; readonly line: number }
  | { readonly status: 'revoked'; readonly fingerprint: string; readonly file: string; readonly line: number };

/** `SHA256:…`, as `ssh-keygen -lf` prints it: base64 of the SHA-256 of the key blob, unpadded. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written first in an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const n = key.readUInt32BE(0);
  return n > 0 && n < 64 && key.length >= 4 + n ? key.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

/** The name a host is listed under: `host` on port 22, `[host]:port` otherwise. */
export function hostEntryName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export class KnownHosts {
  private constructor(
    readonly file: string,
    private readonly entries: readonly Entry[],
  ) {}

  /** Reads the file; a missing file is an empty list (every key is then unknown). */
  static load(file: string): KnownHosts {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read known_hosts file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return new KnownHosts(file, parseKnownHosts(text));
  }

  /** The key types listed for `name`: the ones to ask the server for first. */
  keyTypesFor(name: string): string[] {
    return [...new Set(this.matching(name).filter((e) => e.marker === null).map((e) => e.keyType))];
  }

  verify(name: string, key: Buffer): HostKeyVerdict {
    const fp = fingerprint(key);
    const keyType = keyTypeOf(key);
    const revoked = this.entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
    if (revoked) return { status: 'revoked', fingerprint: fp, file: this.file, line: revoked.line };
    const listed = this.matching(name).filter((e) => e.marker === null);
    if (listed.some((e) => e.key.equals(key))) return { status: 'known' };
    // another key of the same kind is listed: the host's identity changed (or someone is in between)
    const sameType = listed.filter((e) => e.keyType === keyType);
    const suspects = sameType.length > 0 ? sameType : listed;
    const first = suspects[0];
    if (first) return { status: 'changed', fingerprint: fp, keyType, expected: suspects.map((e) => fingerprint(e.key)), file: this.file, line: first.line };
    return { status: 'unknown', fingerprint: fp, keyType };
  }

  private matching(name: string): Entry[] {
    return this.entries.filter((e) => patternsMatch(e.patterns, name));
  }
}

/** Appends `name keytype base64` to the file (created, with its folder, private to the user). */
export function trustHostKey(file: string, name: string, key: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const needsNewline = existsSync(file) && !readFileSync(file, 'utf8').endsWith('\n') && readFileSync(file, 'utf8').length > 0;
  appendFileSync(file, `${needsNewline ? '\n' : ''}${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}

export function parseKnownHosts(text: string): Entry[] {
  const entries: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: Entry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@cert-authority') return;
      if (m !== '@revoked') return;
      marker = 'revoked';
    }
    const [patterns, keyType, b64] = fields;
    if (patterns === undefined || keyType === undefined || b64 === undefined || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return;
    entries.push({ marker, patterns, keyType, key: Buffer.from(b64, 'base64'), line: i + 1 });
  });
  return entries;
}

/** OpenSSH's host pattern list: comma-separated, `*` and `?`, `!` negates, `|1|salt|hash` hashed. */
function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    if (globMatch(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hashedMatches(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|');
  if (!salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

function globMatch(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase();
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}
