/**
 * Instance and model files on disk: BtrPlace JSON, plain or gzipped. Gzip is recognised by its
 * magic bytes (1f 8b), whatever the file is called. Reading never throws: a missing or unreadable
 * file, a bad gzip stream, invalid UTF-8, a JSON syntax error or a structure error all come back
 * as a FileError naming the file. Writing goes to a temporary file renamed over the target, so a
 * reader never sees half a file.
 */
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

import type { Instance } from '../../src/instance/instance.js';
import type * as InstanceJson from '../../src/instance/json.js';
import type { JsonError, JsonResult } from '../../src/json/read.js';
import type { Model } from '../../src/model/model.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/** Decompressed JSON larger than this is refused (V8 cannot hold a longer string anyway). */
export const MAX_JSON_BYTES = 512 * 1024 * 1024 - 64;

const GUNZIP_CHUNK_BYTES = 1 << 20;

export interface FileError {
  readonly file: string;
  readonly message: string;
  /** JSON path of a structure error. */
  readonly jsonPath?: string;
  /** Position of a JSON syntax error (1-based). */
  readonly line?: number;
  readonly column?: number;
}

export type FileResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FileError };

/** `file:3:17: message`, `file: $.model.views[0].rcId: message` or `file: message`. */
export function formatFileError(error: FileError): string {
  if (error.line !== undefined && error.column !== undefined) return `${error.file}:${error.line}:${error.column}: ${error.message}`;
  if (error.jsonPath !== undefined) return `${error.file}: ${error.jsonPath}: ${error.message}`;
  return `${error.file}: ${error.message}`;
}

// The JSON readers (and through them the constraint catalogue) are loaded on first use, so that
// this module stays cheap to load for the command line's start-up (prefetchJsonText).
const instanceJson = (): Promise<typeof InstanceJson> => import('../../src/instance/json.js');

export async function readInstanceFile(file: string): Promise<FileResult<Instance>> {
  const reading = takeBytes(file);
  const { instanceFromJson, parseInstanceJsonText, parseSharedPartsText, SHARED_PARTS } = await instanceJson();
  const bytes = await reading;
  if (!bytes.ok) return bytes;
  // the TDSC files repeat one 24 KB group of nodes 1,722 times: found in the bytes, the 48 MB text
  // is never decoded (see parseInstanceJsonText; any surprise falls back to the whole text)
  const shared = sharedPartsIn(bytes.value, SHARED_PARTS);
  const parsed = shared ? parseSharedPartsText(shared.text, shared.value, shared.count) : undefined;
  // an instance read to be planned on must name only elements of its model (naming-check.ts)
  const { checkNamingViews } = await import('../../src/instance/naming-check.js');
  const read = (raw: unknown): JsonResult<Instance> => {
    const instance = instanceFromJson(raw);
    return instance.ok ? checkNamingViews(instance.value, raw) : instance;
  };
  if (parsed) return located(file, read(parsed.value));
  const text = decode(file, bytes.value);
  return text.ok ? readJsonFile(file, text.value, read, parseInstanceJsonText) : text;
}

export async function readModelFile(file: string): Promise<FileResult<Model>> {
  const text = readJsonText(file);
  const { modelFromJson } = await instanceJson();
  const { parseJsonText } = await import('../../src/json/read.js');
  const t = await text;
  return t.ok ? readJsonFile(file, t.value, (raw) => modelFromJson(raw), parseJsonText) : t;
}

/** Reads started early by prefetchJsonText, by file name, each taken by the next read of its file. */
const prefetched = new Map<string, Promise<FileResult<Buffer>>>();

/**
 * Starts reading a file now, so that gunzipping it (on the thread pool) overlaps with whatever
 * the caller does next (the command line loads the planner's code meanwhile); the next
 * `readJsonText`, `readInstanceFile` or `readModelFile` of the same name takes the result. A file
 * never read again is simply dropped with the process.
 */
export function prefetchJsonText(file: string): void {
  if (!prefetched.has(file)) prefetched.set(file, loadBytes(file));
}

function takeBytes(file: string): Promise<FileResult<Buffer>> {
  const early = prefetched.get(file);
  if (!early) return loadBytes(file);
  prefetched.delete(file);
  return early;
}

/** Reads a file's text: gunzipped when it starts with the gzip magic bytes, decoded as strict UTF-8. */
export async function readJsonText(file: string): Promise<FileResult<string>> {
  const bytes = await takeBytes(file);
  return bytes.ok ? decode(file, bytes.value) : bytes;
}

/** The file's bytes, gunzipped when they start with the gzip magic bytes. */
async function loadBytes(file: string): Promise<FileResult<Buffer>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    return fail(file, ioReason(e));
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      // 1 MiB chunks: the default 16 KiB costs one thread-pool round trip each (thousands on a TDSC file)
      bytes = await gunzipAsync(bytes, { maxOutputLength: MAX_JSON_BYTES, chunkSize: GUNZIP_CHUNK_BYTES });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') return fail(file, `the decompressed content exceeds ${MAX_JSON_BYTES >> 20} MiB: too large to read`);
      return fail(file, `looks gzipped but cannot be decompressed (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (bytes.length > MAX_JSON_BYTES) return fail(file, `larger than ${MAX_JSON_BYTES >> 20} MiB: too large to read`);
  return { ok: true, value: bytes };
}

const NOT_UTF8 = 'not valid UTF-8 text (BtrPlace JSON files are UTF-8, plain or gzipped)';

function decode(file: string, bytes: Buffer): FileResult<string> {
  try {
    // The decoder drops a leading byte order mark.
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return fail(file, NOT_UTF8);
  }
}

/**
 * SHARED_PARTS's search (src/instance/json.ts) done on the bytes of valid UTF-8 text: its
 * characters are ASCII, which UTF-8 never uses inside another character, so the matches are the
 * text's, and only the text around them is decoded. Undefined when there is nothing to share or
 * the bytes are not valid UTF-8 (the caller then decodes the whole text, reporting that).
 */
function sharedPartsIn(bytes: Buffer, how: { readonly key: string; readonly placeholder: string; readonly minLength: number }): { text: string; value: string; count: number } | undefined {
  const probe = Buffer.from(`${how.key}[[`, 'latin1');
  const first = bytes.indexOf(probe);
  if (first === -1) return undefined;
  const start = first + how.key.length;
  // the value: only digits, commas and brackets (ids), up to its closing bracket
  let depth = 0;
  let end = start;
  for (; end < bytes.length; end++) {
    const c = bytes[end] as number;
    if (c === 0x5b) depth++;
    else if (c === 0x5d) {
      if (--depth === 0) break;
    } else if (c !== 0x2c && (c < 0x30 || c > 0x39)) return undefined;
  }
  if (depth !== 0) return undefined;
  const valueEnd = end + 1;
  const length = valueEnd - start;
  if (length < how.minLength || !isUtf8(bytes)) return undefined;
  // a leading byte order mark is not part of the text
  let from = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const pieces: string[] = [];
  let count = 0;
  // copies of key + value, left to right, without overlaps (what String.indexOf finds in the text)
  for (let at = first; at !== -1; at = bytes.indexOf(probe, at + 1)) {
    const copy = at + how.key.length;
    if (at < from || copy + length > bytes.length || bytes.compare(bytes, start, valueEnd, copy, copy + length) !== 0) continue;
    pieces.push(bytes.toString('utf8', from, at), how.key, how.placeholder);
    from = copy + length;
    count++;
  }
  if (count < 2) return undefined;
  pieces.push(bytes.toString('utf8', from));
  return { text: pieces.join(''), value: bytes.toString('latin1', start, valueEnd), count };
}

export interface WriteOptions {
  /** Compress with gzip. Default: when the file name ends with `.gz`. */
  readonly gzip?: boolean;
  /** Indent the JSON (for hand-edited files). Default: compact, as BtrPlace writes. */
  readonly pretty?: boolean;
}

export async function writeInstanceFile(file: string, instance: Instance, options: WriteOptions = {}): Promise<void> {
  const { instanceToJson } = await instanceJson();
  return writeJsonFile(file, instanceToJson(instance), options);
}

export async function writeModelFile(file: string, model: Model, options: WriteOptions = {}): Promise<void> {
  const { modelToJson } = await instanceJson();
  return writeJsonFile(file, modelToJson(model), options);
}

/** Writes JSON atomically: a temporary file next to the target, then a rename over it. */
export async function writeJsonFile(file: string, value: unknown, options: WriteOptions = {}): Promise<void> {
  const text = JSON.stringify(value, null, options.pretty ? 2 : undefined);
  const compress = options.gzip ?? file.endsWith('.gz');
  const bytes = compress ? await gzipAsync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8');
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

function readJsonFile<T>(file: string, text: string, read: (raw: unknown) => JsonResult<T>, parse: (text: string) => JsonResult<unknown>): FileResult<T> {
  const parsed = parse(text);
  if (!parsed.ok) return jsonFail(file, parsed.error);
  return located(file, read(parsed.value));
}

function located<T>(file: string, result: JsonResult<T>): FileResult<T> {
  return result.ok ? result : jsonFail(file, result.error);
}

function jsonFail(file: string, error: JsonError): { ok: false; error: FileError } {
  if (error.line !== undefined && error.column !== undefined) {
    return { ok: false, error: { file, message: `invalid JSON: ${error.message}`, line: error.line, column: error.column } };
  }
  return { ok: false, error: { file, message: error.message, jsonPath: error.path } };
}

function fail(file: string, message: string): { ok: false; error: FileError } {
  return { ok: false, error: { file, message } };
}

function ioReason(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'a directory, not a file';
    default:
      return `unreadable (${e instanceof Error ? e.message : String(e)})`;
  }
}
