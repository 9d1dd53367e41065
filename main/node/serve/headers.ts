/**
 * The response headers of the console's pages, shared by serve mode and the Electron app's
 * protocol handler: a strict Content-Security-Policy (scripts and styles from files only, except
 * the <style> elements CodeMirror creates with the launch's nonce), no sniffing, no referrer, no
 * framing.
 */

export interface PolicyOptions {
  /** The per-launch nonce of CodeMirror's <style> elements. */
  readonly styleNonce: string;
  /** Where events come from besides 'self' (serve mode: `ws://127.0.0.1:<port>`). */
  readonly connect?: readonly string[];
}

export function contentSecurityPolicy(options: PolicyOptions): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${options.styleNonce}'`,
    ["connect-src 'self'", ...(options.connect ?? [])].join(' '),
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(options: PolicyOptions): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
