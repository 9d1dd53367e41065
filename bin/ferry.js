#!/usr/bin/env node
// Entry of the `ferry` command. Runs the compiled CLI; builds it first when dist/ is missing or
// older than the sources (dependencies install with scripts off, see .npmrc, so no `prepare` ran).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main', 'cli', 'index.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const sourcesExist = existsSync(join(root, 'src'));
const stale = !existsSync(entry) || (sourcesExist && Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'main'))) > statSync(entry).mtimeMs);
if (stale && sourcesExist) {
  process.stderr.write('ferry: building (first run or sources changed)...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(root, 'main')], { stdio: 'inherit', cwd: root });
  // tsc -b leaves an unchanged output untouched: mark the entry fresh, or every run would rebuild
  const now = new Date();
  utimesSync(entry, now, now);
}
// a reader that stops early (`| head`) must not get an EPIPE stack trace: see guardProcessPipes
const { guardProcessPipes } = await import(pathToFileURL(join(root, 'dist', 'main', 'cli', 'command.js')).href);
guardProcessPipes();
const { runCli } = await import(pathToFileURL(entry).href);
process.exitCode = await runCli(process.argv.slice(2));
