import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readActionsLog } from '../../main/node/demo/engine.js';
import { demoSandbox, hostOf, sleep } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// inside the repository, so that the bundle resolves better-sqlite3 from node_modules
const WORK = join(ROOT, 'node_modules', '.cache', `ferry-demo-test-${process.pid}`);
const sandbox = demoSandbox();

/**
 * The child is the engine bundled by esbuild (vite's own dependency): no tsx, and no dependency
 * on the state of `dist/`, which other work in the checkout may leave stale.
 */
beforeAll(() => {
  mkdirSync(WORK, { recursive: true });
  execFileSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), [join(ROOT, 'main/node/demo/engine.ts'), '--bundle', '--platform=node', '--format=esm', '--external:better-sqlite3', '--log-level=error', `--outfile=${join(WORK, 'engine.mjs')}`]);
  writeFileSync(
    join(WORK, 'child.mjs'),
    `import { DemoEngine } from './engine.mjs';
const [dir, requestId] = process.argv.slice(2);
const engine = DemoEngine.open(dir, { speed: 20 });
const started = engine.start(requestId, { kind: 'migrateVM', vm: 'api1', from: 'r1-h1', to: 'r3-h2' });
process.stdout.write(JSON.stringify(started) + '\\n');
// the client dies at once, without closing anything
process.kill(process.pid, 'SIGKILL');
`,
  );
});

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('a job outlives the process that started it', () => {
  it('a migration started by a process killed with SIGKILL completes, seen by a fresh engine', async () => {
    const dir = sandbox.dir();
    const child = spawnSync(process.execPath, [join(WORK, 'child.mjs'), dir, 'run1:s1:1'], { encoding: 'utf8', timeout: 30_000 });
    expect(child.signal).toBe('SIGKILL');
    const started = JSON.parse(child.stdout.trim()) as { status: string; job: { endsAt: number; durationMs: number } };
    expect(started.status).toBe('accepted');
    // api1: 16 GiB over 10 Gbit/s = 12.8 s, at speed 20: 640 ms
    expect(started.job.durationMs).toBe(640);

    const engine = sandbox.open(dir, { speed: 20 });
    if (Date.now() < started.job.endsAt - 50) {
      const during = engine.snapshot();
      expect(hostOf(during.model, 'api1')).toBe('r1-h1');
      expect(during.jobs.map((j) => j.requestId)).toEqual(['run1:s1:1']);
    }
    await sleep(Math.max(0, started.job.endsAt - Date.now()) + 10);
    const after = engine.snapshot();
    expect(hostOf(after.model, 'api1')).toBe('r3-h2');
    expect(after.jobs).toEqual([]);
    expect(engine.status('run1:s1:1')).toMatchObject({ state: 'completed', at: started.job.endsAt });
    const log = readActionsLog(dir);
    expect(log.map((e) => ('result' in e ? e.result : e.event))).toEqual(['accepted', 'completed']);
  });
});
