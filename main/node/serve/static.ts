import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

/**
 * The built renderer (dist/renderer, Vite's output), served as files. index.html gets the launch's
 * style nonce in a `<meta name="ferry-style-nonce">` (CodeMirror's EditorView.cspNonce reads it
 * for the <style> elements it creates; every other style is a file).
 */

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  readonly status: 200 | 204 | 404;
  readonly type: string;
  readonly body: Buffer | string;
  /** index.html changes with every launch (its nonce); hashed assets do not. */
  readonly cache: string;
}

export class RendererFiles {
  private readonly root: string;

  constructor(
    root: string,
    private readonly styleNonce: string,
  ) {
    this.root = resolve(root);
  }

  /** The file a GET of `pathname` answers; paths without an extension are the app's own routes (index.html). */
  async get(pathname: string): Promise<StaticFile> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return notFound();
    }
    if (decoded === '/' || decoded === '/index.html' || extname(decoded) === '') return this.indexFile();
    const file = resolve(this.root, `.${decoded}`);
    // the resolved path must stay inside the build: `..` and encoded separators end here
    if (!file.startsWith(this.root + sep) || decoded.includes('\0')) return notFound();
    try {
      if (!(await stat(file)).isFile()) return notFound();
      const body = await readFile(file);
      return { status: 200, type: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', body, cache: decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache' };
    } catch {
      // browsers ask for a favicon on their own: no icon is not an error worth a console line
      return decoded === '/favicon.ico' ? { status: 204, type: TYPES['.ico'] as string, body: '', cache: 'no-cache' } : notFound();
    }
  }

  /** Read at every load (a few hundred bytes): a rebuild while the server runs is served at once. */
  private async indexFile(): Promise<StaticFile> {
    let html: string;
    try {
      html = await readFile(join(this.root, 'index.html'), 'utf8');
    } catch {
      return { status: 404, type: TYPES['.txt'] as string, body: `the console is not built: ${join(this.root, 'index.html')} is missing (npm run build:renderer)\n`, cache: 'no-store' };
    }
    return { status: 200, type: TYPES['.html'] as string, body: withStyleNonce(html, this.styleNonce), cache: 'no-store' };
  }
}

/**
 * index.html as served: the nonce meta first in <head> (the nonce is base64url: nothing to escape),
 * and without a CSP <meta>: the server sends the policy as a header, with this launch's nonce, and
 * a static policy in the file would also apply and refuse the nonce'd styles.
 */
export function withStyleNonce(html: string, nonce: string): string {
  html = html.replace(/[ \t]*<meta\s+http-equiv=["']?Content-Security-Policy["']?[^>]*>[ \t]*\r?\n?/gi, '');
  const meta = `<meta name="ferry-style-nonce" content="${nonce}">`;
  const head = /<head[^>]*>/i.exec(html);
  if (head === null) return `${meta}\n${html}`;
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}\n    ${meta}${html.slice(at)}`;
}

function notFound(): StaticFile {
  return { status: 404, type: TYPES['.txt'] as string, body: 'not found\n', cache: 'no-store' };
}
