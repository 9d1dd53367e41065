import type { ErrorBody, Reply } from '../../../src/contract/errors.js';
import { describeValue } from '../../../src/contract/wire.js';
import { childPath } from '../../../src/json/read.js';

/**
 * The WebSocket protocol of serve mode's `/events` (renderer/api/http.ts is its client). One
 * connection carries every subscription of a page; each frame is one JSON object.
 *
 *   client → server
 *     { "type": "subscribe",   "id": "s1", "name": "run:changed", "input": { … } }
 *     { "type": "unsubscribe", "id": "s1" }
 *   server → client
 *     { "type": "event", "id": "s1", "reply": { "ok": true, "value": <event> } }
 *         (or an error envelope: a refused subscription gets one, with code 'invalid-request', and nothing after)
 *     { "type": "error", "error": { code, message, path? } }
 *         a frame the server could not use (not JSON, unknown type, an id already in use…)
 *
 * The id is the client's; it names the subscription in both directions.
 */

export type ClientFrame =
  | { readonly type: 'subscribe'; readonly id: string; readonly name: string; readonly input: unknown }
  | { readonly type: 'unsubscribe'; readonly id: string };

export type ServerFrame = { readonly type: 'event'; readonly id: string; readonly reply: Reply<unknown> } | { readonly type: 'error'; readonly error: ErrorBody };

/** Longest subscription id accepted (ids are the client's counters: `s1`, `s2`…). */
const MAX_ID_LENGTH = 64;

export type FrameParse = { readonly ok: true; readonly frame: ClientFrame } | { readonly ok: false; readonly error: ErrorBody };

/** A client frame, or the located reason it is unusable. Never throws. */
export function parseClientFrame(text: string): FrameParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return refuse('$', `the frame is not JSON (${e instanceof Error ? e.message : 'unreadable'})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return refuse('$', `expected a frame object { type, id, … }, got ${describeValue(raw)}`);
  const frame = raw as Record<string, unknown>;
  const id = frame['id'];
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) return refuse('$.id', `expected a subscription id (a string of 1 to ${MAX_ID_LENGTH} characters), got ${describeValue(id)}`);
  switch (frame['type']) {
    case 'subscribe': {
      const extra = Object.keys(frame).find((k) => !['type', 'id', 'name', 'input'].includes(k));
      if (extra !== undefined) return refuse(childPath('$', extra), 'unexpected field (a subscribe frame has type, id, name and input)');
      if (typeof frame['name'] !== 'string') return refuse('$.name', `expected a subscription name, got ${describeValue(frame['name'])}`);
      return { ok: true, frame: { type: 'subscribe', id, name: frame['name'], input: frame['input'] ?? {} } };
    }
    case 'unsubscribe':
      return { ok: true, frame: { type: 'unsubscribe', id } };
    default:
      return refuse('$.type', `expected "subscribe" or "unsubscribe", got ${describeValue(frame['type'])}`);
  }
}

function refuse(path: string, message: string): FrameParse {
  return { ok: false, error: { code: 'invalid-request', message: `${path}: ${message}`, path } };
}
