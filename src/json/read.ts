/**
 * Located readers for untrusted JSON (instances, plans, constraint forms). Every reader takes the
 * raw value and its JSON path (`$.model.mapping.onlineNodes["3"].runningVMs[1]`) and either returns
 * the typed value or throws a JsonReadError naming that path. Top-level entry points catch it and
 * return a `JsonResult`, so callers never see a half-read value.
 */

export interface JsonError {
  /** JSON path of the offending value, `$` being the document root. */
  readonly path: string;
  readonly message: string;
}

export type JsonResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: JsonError };

export class JsonReadError extends Error implements JsonError {
  override name = 'JsonReadError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
  /** The bare reason, without the path prefix. */
  get reason(): string {
    return this.message.slice(this.path.length + 2);
  }
}

/** Runs a reader, turning a JsonReadError into a located error result. Other errors propagate. */
export function readJson<T>(read: () => T): JsonResult<T> {
  try {
    return { ok: true, value: read() };
  } catch (e) {
    if (e instanceof JsonReadError) return { ok: false, error: { path: e.path, message: e.reason } };
    throw e;
  }
}

/** `path.key` or `path["odd key"]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describe(raw: unknown): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'an array';
  if (typeof raw === 'string') return `the string ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)}`;
  return `${typeof raw === 'object' ? 'an object' : `${typeof raw} ${String(raw)}`}`;
}

export function readObject(raw: unknown, path: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new JsonReadError(path, `expected an object, found ${describe(raw)}`);
  return raw as Record<string, unknown>;
}

export function readArray(raw: unknown, path: string): unknown[] {
  if (!Array.isArray(raw)) throw new JsonReadError(path, `expected an array, found ${describe(raw)}`);
  return raw;
}

/** A required field of an object. */
export function field(obj: Record<string, unknown>, key: string, path: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) throw new JsonReadError(childPath(path, key), 'required field is missing');
  return obj[key];
}

export function readInt(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw new JsonReadError(path, `expected an integer, found ${describe(raw)}`);
  return raw;
}

export function readNonNegativeInt(raw: unknown, path: string): number {
  const n = readInt(raw, path);
  if (n < 0) throw new JsonReadError(path, `expected a non-negative integer, found ${n}`);
  return n;
}

export function readNumber(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new JsonReadError(path, `expected a number, found ${describe(raw)}`);
  return raw;
}

export function readString(raw: unknown, path: string): string {
  if (typeof raw !== 'string') throw new JsonReadError(path, `expected a string, found ${describe(raw)}`);
  return raw;
}

export function readBoolean(raw: unknown, path: string): boolean {
  if (typeof raw !== 'boolean') throw new JsonReadError(path, `expected true or false, found ${describe(raw)}`);
  return raw;
}

/** An optional field: `fallback` when absent, else read with `read`. */
export function optionalField<T>(obj: Record<string, unknown>, key: string, path: string, read: (raw: unknown, path: string) => T, fallback: T): T {
  return Object.prototype.hasOwnProperty.call(obj, key) ? read(obj[key], childPath(path, key)) : fallback;
}

/** Element ids (VM or node): non-negative integers. */
export function readIdArray(raw: unknown, path: string): number[] {
  return readArray(raw, path).map((v, i) => readNonNegativeInt(v, childPath(path, i)));
}

export function readIdArrayArray(raw: unknown, path: string): number[][] {
  return readArray(raw, path).map((v, i) => readIdArray(v, childPath(path, i)));
}

/** An object key that must be an element id (`"onlineNodes": {"3": ...}`). */
export function readIdKey(key: string, path: string): number {
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new JsonReadError(childPath(path, key), `expected an element id as key, found ${JSON.stringify(key)}`);
  return Number(key);
}
