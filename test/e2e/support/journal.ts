/**
 * What the console's services hold about runs, read beside the page: over serve mode's /rpc with
 * the launch's token (the services' own answer), or, for the Electron app, through the CLI
 * (`ferry runs --format json`) on the same data folder.
 */
import { spawnSync } from 'node:child_process';

import { FERRY_BIN, ROOT } from './paths.js';
import type { ConsoleServer } from './console-server.js';

export interface JournalRun {
  readonly runId: string;
  readonly state: string;
  readonly clusterId: string;
  readonly createdAt: number;
}

/** The runs the services know, newest first. */
export async function runsOf(session: { readonly server: ConsoleServer | undefined; readonly home: string }): Promise<JournalRun[]> {
  if (session.server !== undefined) return runsOverRpc(session.server);
  return runsFromCli(session.home);
}

async function runsOverRpc(server: ConsoleServer): Promise<JournalRun[]> {
  const response = await fetch(`${server.origin}/rpc/ferry:run:list`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: '{}',
  });
  const reply = (await response.json()) as { ok: boolean; value?: { runs: JournalRun[] }; error?: { message: string } };
  if (!reply.ok || reply.value === undefined) throw new Error(`run:list refused (HTTP ${response.status}): ${reply.error?.message ?? 'no value'}`);
  return [...reply.value.runs].sort((a, b) => b.createdAt - a.createdAt);
}

function runsFromCli(home: string): JournalRun[] {
  const result = spawnSync(process.execPath, [FERRY_BIN, 'runs', '--format', 'json'], { cwd: ROOT, env: { ...process.env, FERRY_HOME: home }, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`ferry runs failed (exit ${result.status ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout) as JournalRun[];
}
