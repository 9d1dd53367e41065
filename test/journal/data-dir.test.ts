import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { clustersDir, dataDir, demoDir, ensureDataDir, journalPath } from '../../main/node/data-dir.js';
import { tempDir } from './support.js';

const tmp = tempDir('ferry-data-dir-');
afterAll(tmp.remove);

describe('dataDir', () => {
  it('is FERRY_HOME when set (made absolute), whatever the platform', () => {
    expect(dataDir({ FERRY_HOME: '/srv/ferry', XDG_DATA_HOME: '/x' }, 'linux')).toBe('/srv/ferry');
    expect(dataDir({ FERRY_HOME: 'rel/dir' }, 'linux')).toBe(join(process.cwd(), 'rel/dir'));
    expect(dataDir({ FERRY_HOME: 'D:\\ferry', APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toBe('D:\\ferry');
  });

  it('ignores an empty FERRY_HOME', () => {
    expect(dataDir({ FERRY_HOME: '', HOME: '/home/a' }, 'linux')).toBe('/home/a/.local/share/ferry');
  });

  it('follows XDG on Linux, ignoring a relative XDG_DATA_HOME', () => {
    expect(dataDir({ XDG_DATA_HOME: '/data/a', HOME: '/home/a' }, 'linux')).toBe('/data/a/ferry');
    expect(dataDir({ XDG_DATA_HOME: 'relative', HOME: '/home/a' }, 'linux')).toBe('/home/a/.local/share/ferry');
    expect(dataDir({}, 'linux')).toBe(join(homedir(), '.local', 'share', 'ferry'));
  });

  it('uses Application Support on macOS and APPDATA on Windows', () => {
    expect(dataDir({ HOME: '/Users/a' }, 'darwin')).toBe('/Users/a/Library/Application Support/Ferry');
    expect(dataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toBe('C:\\Users\\a\\AppData\\Roaming\\Ferry');
    expect(dataDir({ USERPROFILE: 'C:\\Users\\a' }, 'win32')).toBe('C:\\Users\\a\\AppData\\Roaming\\Ferry');
  });

  it('names the files inside', () => {
    expect(journalPath('/d')).toBe('/d/journal.sqlite');
    expect(demoDir('/d')).toBe('/d/demo');
    expect(clustersDir('/d')).toBe('/d/clusters');
  });
});

describe('ensureDataDir', () => {
  it('creates the folder and its parents, private to the user, and accepts an existing one', () => {
    const dir = join(tmp.dir, 'a', 'b', 'ferry');
    ensureDataDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    if (process.platform !== 'win32') expect(statSync(dir).mode & 0o777).toBe(0o700);
    ensureDataDir(dir);
  });
});
