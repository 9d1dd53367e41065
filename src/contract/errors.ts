import { z } from 'zod';

import { type JsonValue, JsonValueSchema, matches } from './wire.js';

/**
 * Replies travel as envelopes, never as thrown errors: `{ ok: true, value }` or
 * `{ ok: false, error: { code, message, path?, details? } }`. A transport (IPC, HTTP, WebSocket)
 * carries them unchanged, so a client handles failures the same way whichever it uses.
 */

export const ERROR_CODES = [
  /** The message does not follow the contract (`path` says where), or its content is unusable. */
  'invalid-request',
  /** No such cluster, run, plan request or step. */
  'not-found',
  /** The state does not allow it now: the cluster is held by a running plan, a stale revision. */
  'conflict',
  /** No plan exists for what was asked (the explanation in `details`). */
  'infeasible',
  /** A resource is missing or not answering: the provider, the solver. */
  'unavailable',
  /** A bug: the message is for a report, not for the operator to act on. */
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  readonly code: ErrorCode;
  /** One line for people; for a malformed message it starts with the path (`$.input.x: expected ...`). */
  readonly message: string;
  /** The JSON path of the offending value, `$` being the whole message. */
  readonly path?: string;
  /** Data for a program (the known procedures, an infeasibility explanation). */
  readonly details?: JsonValue;
}

export const ErrorBodySchema = matches<ErrorBody>()(
  z
    .object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      path: z.string().optional(),
      details: JsonValueSchema.optional(),
    })
    .strict(),
);

export interface ErrorEnvelope {
  readonly ok: false;
  readonly error: ErrorBody;
}

export const ErrorEnvelopeSchema = matches<ErrorEnvelope>()(z.object({ ok: z.literal(false), error: ErrorBodySchema }).strict());

export type Reply<T> = { readonly ok: true; readonly value: T } | ErrorEnvelope;

/** The reply schema of a procedure whose value is `output`. */
export function replySchema<T>(output: z.ZodType<T, z.ZodTypeDef, unknown>): z.ZodType<Reply<T>, z.ZodTypeDef, unknown> {
  return z.union([z.object({ ok: z.literal(true), value: output }).strict(), ErrorEnvelopeSchema]) as unknown as z.ZodType<Reply<T>, z.ZodTypeDef, unknown>;
}

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, extra: { readonly path?: string; readonly details?: JsonValue } = {}): ErrorEnvelope {
  return { ok: false, error: { code, message, ...extra } };
}
