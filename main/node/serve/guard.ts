import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import type { ErrorBody } from '../../../src/contract/errors.js';

/**
 * Who may talk to serve mode's server: only a page or program on this machine that holds the
 * launch's token. Checked on every request and every WebSocket upgrade before anything else, so a
 * refused request reaches no service.
 *
 * - Host must name the loopback address and our port (a DNS-rebinding page has its own host name);
 * - Origin, when sent (browsers send it on POST, module scripts and WebSocket), must be our origin;
 * - the token: `Authorization: Bearer …`, or the `?token=` of the address (the first page load and
 *   the WebSocket, whose headers a browser cannot set), or the cookie the first page load sets so
 *   that a reload still works once the page has removed the token from its address bar.
 */

export interface Refusal {
  readonly status: 401 | 403;
  readonly error: ErrorBody;
}

/** A fresh random token: 32 bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The cookie that carries the token of the server on `port` (cookies are shared across ports). */
export function tokenCookieName(port: number): string {
  return `ferry_token_${port}`;
}

export class Guard {
  private readonly tokenDigest: Buffer;

  constructor(
    readonly token: string,
    private readonly port: number,
  ) {
    this.tokenDigest = digest(token);
  }

  get origins(): readonly string[] {
    return [`http://127.0.0.1:${this.port}`, `http://localhost:${this.port}`];
  }

  /** Why this request must be refused, or undefined when it may go on. */
  check(headers: IncomingHttpHeaders, url: URL): Refusal | undefined {
    return this.checkPlace(headers) ?? this.checkToken(headers, url);
  }

  /** Host and Origin (403): where the request comes from. */
  checkPlace(headers: IncomingHttpHeaders): Refusal | undefined {
    const host = headers.host;
    if (host === undefined || !this.origins.some((o) => o === `http://${host}`)) {
      return forbidden(`refused: the Host header must be 127.0.0.1:${this.port} (got ${JSON.stringify(host ?? '')})`);
    }
    const origin = headers.origin;
    if (origin !== undefined && !this.origins.includes(origin)) return forbidden(`refused: requests from ${JSON.stringify(origin)} are not allowed (only this console's own pages)`);
    const site = headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') return forbidden('refused: a request from another site');
    return undefined;
  }

  /** The token (401): who sent the request. */
  checkToken(headers: IncomingHttpHeaders, url: URL): Refusal | undefined {
    const offered = [bearerOf(headers.authorization), url.searchParams.get('token') ?? undefined, cookieOf(headers.cookie, tokenCookieName(this.port))];
    if (offered.some((t) => t !== undefined && this.matches(t))) return undefined;
    const any = offered.some((t) => t !== undefined);
    return {
      status: 401,
      error: { code: 'invalid-request', message: any ? 'refused: wrong token (open the address `ferry console` printed)' : 'refused: no token (open the address `ferry console` printed, with its ?token=…)' },
    };
  }

  /** Constant time whatever the candidate's length: digests of equal length are compared. */
  matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.tokenDigest);
  }
}

function forbidden(message: string): Refusal {
  return { status: 403, error: { code: 'invalid-request', message } };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function bearerOf(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
