/**
 * Instance and model files on disk: BtrPlace JSON, plain or gzipped. Gzip is recognised by its
 * magic bytes (1f 8b), whatever the file is called. Reading never throws: a missing or unreadable
 * file, a bad gzip stream, invalid UTF-8, a JSON syntax error or a structure error all come back
 * as a FileError naming the file. Writing goes to a temporary file renamed over the target, so a
 * reader never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

import type { Instance } from '../../src/instance/instance.js';
import { instanceFromJson, instanceToJson, modelFromJson, modelToJson, parseInstanceJsonText } from '../../src/instance/json.js';
import { type JsonError, type JsonResult, parseJsonText } from '../../src/json/read.js';
import type { Model } from '../../src/model/model.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/** Decompressed JSON larger than this is refused (V8 cannot hold a longer string anyway). */
export const MAX_JSON_BYTES = 512 * 1024 * 1024 - 64;

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

export function readInstanceFile(file: string): Promise<FileResult<Instance>> {
  return readJsonFile(file, instanceFromJson, parseInstanceJsonText);
}

export function readModelFile(file: string): Promise<FileResult<Model>> {
  return readJsonFile(file, (raw) => modelFromJson(raw));
}

/** Reads a file's text: gunzipped when it starts with the gzip magic bytes, decoded as strict UTF-8. */
export async function readJsonText(file: string): Promise<FileResult<string>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    return fail(file, ioReason(e));
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes, { maxOutputLength: MAX_JSON_BYTES });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') return fail(file, `the decompressed content exceeds ${MAX_JSON_BYTES >> 20} MiB: too large to read`);
      return fail(file, `looks gzipped but cannot be decompressed (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (bytes.length > MAX_JSON_BYTES) return fail(file, `larger than ${MAX_JSON_BYTES >> 20} MiB: too large to read`);
  try {
    // The decoder drops a leading byte order mark.
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return fail(file, 'not valid UTF-8 text (BtrPlace JSON files are UTF-8, plain or gzipped)');
  }
}

export interface WriteOptions {
  /** Compress with gzip. Default: when the file name ends with `.gz`. */
  readonly gzip?: boolean;
  /** Indent the JSON (for hand-edited files). Default: compact, as BtrPlace writes. */
  readonly pretty?: boolean;
}

export function writeInstanceFile(file: string, instance: Instance, options: WriteOptions = {}): Promise<void> {
  return writeJsonFile(file, instanceToJson(instance), options);
}

export function writeModelFile(file: string, model: Model, options: WriteOptions = {}): Promise<void> {
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

async function readJsonFile<T>(file: string, read: (raw: unknown) => JsonResult<T>, parse: (text: string) => JsonResult<unknown> = parseJsonText): Promise<FileResult<T>> {
  const text = await readJsonText(file);
  if (!text.ok) return text;
  const parsed = parse(text.value);
  if (!parsed.ok) return jsonFail(file, parsed.error);
  const result = read(parsed.value);
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
