import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Reply } from '../../src/contract/errors.js';
import { Journal } from '../../main/node/journal/journal.js';
import { type RpcEndpoint, type ServeHandle, startServer } from '../../main/node/serve/index.js';
import { type RpcServer, createHandlers } from '../../main/rpc/index.js';
import { ClusterService } from '../../main/services/cluster.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';

/**
 * A real serve-mode server on port 0 over the real handler table and services, on a temporary
 * FERRY home with the demo cluster, and a small built renderer. `reached` lists every procedure
 * that got past the server to the handler table: a refused request must add nothing to it.
 */
export interface Served {
  readonly home: string;
  readonly rpc: RpcServer;
  readonly endpoint: RpcEndpoint;
  readonly reached: string[];
  server: ServeHandle;
  readonly rendererDir: string;
  close(): Promise<void>;
}

export const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'" />
    <title>Ferry</title>
  </head>
  <body><div id="root"></div><script type="module" src="./assets/app.js"></script></body>
</html>
`;

export async function serve(): Promise<Served> {
  process.env['FERRY_DEMO_SPEED'] = '50';
  const home = mkdtempSync(join(tmpdir(), 'ferry-serve-'));
  const rendererDir = join(home, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), INDEX_HTML);
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("ferry");\n');
  writeFileSync(join(home, 'secret.txt'), 'not for the browser\n');

  const journal = Journal.open(join(home, 'journal.sqlite'));
  const clusters = new ClusterService(home);
  const planning = new PlanningService({ pickRunner: null });
  const runs = new RunService({ home, journal, clusters, planning, clock: { now: () => Date.now() }, actor: 'alice@ws1' });
  const rpc = createHandlers({ home, journal, clusters, planning, runs, actor: 'alice@ws1' }, { checkOutputs: true });
  const reached: string[] = [];
  const endpoint: RpcEndpoint = {
    invoke: (name, input) => {
      reached.push(name);
      return rpc.invoke(name, input);
    },
    subscribe: (name, input, listener) => {
      reached.push(name);
      return rpc.subscribe(name, input, listener);
    },
  };
  const server = await startServer({ rpc: endpoint, rendererDir, onError: () => {} });
  const served: Served = {
    home,
    rpc,
    endpoint,
    reached,
    server,
    rendererDir,
    async close() {
      await served.server.close();
      rpc.close();
      journal.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
  return served;
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A request exactly as written (fetch would fix its Host, normalise its path). */
export function raw(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POST /rpc/ferry:<name> with the token (unless `headers` says otherwise). */
export function call(served: Served, name: string, input: unknown, headers: Record<string, string> = { authorization: `Bearer ${served.server.token}` }): Promise<RawAnswer> {
  return raw(served.server.port, { method: 'POST', path: `/rpc/ferry:${name}`, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(input) });
}

export function envelope(answer: RawAnswer): Reply<unknown> {
  return JSON.parse(answer.body) as Reply<unknown>;
}

export async function until(what: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const start = Date.now();
  while (!what()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
