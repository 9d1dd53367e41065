import { describe, expect, it } from 'vitest';

import { NativeMznRunner, usableSolvers } from '../../main/node/solver/native-runner.js';
import { runnerContract } from './runner-contract.js';

const native = await NativeMznRunner.detect();

describe.skipIf(native === undefined)('native minizinc', () => {
  runnerContract('native', () => Promise.resolve(native as NativeMznRunner), { solver: 'gecode' });
});

describe('native runner set-up', () => {
  it('is absent when FERRY_MINIZINC names no executable', async () => {
    expect(await NativeMznRunner.detect({ executable: '/nonexistent/minizinc' })).toBeUndefined();
  });

  it('keeps only the solvers that run without extra flags or a GUI', () => {
    const listing = [
      { id: 'org.minizinc.mip.cplex', requiredFlags: ['--cplex-dll'], tags: ['mip'] },
      { id: 'org.gecode.gecode', tags: ['cp', 'int'] },
      { id: 'org.gecode.gist', tags: ['cp'], isGUIApplication: true },
      { id: 'org.minizinc.mip.highs', tags: ['mip', 'highs'] },
      { id: 'org.chuffed.chuffed', tags: ['cp', 'lcg'] },
      { id: 'org.minizinc.mip.coin-bc', tags: ['mip', 'cbc'] },
    ];
    expect([...usableSolvers(listing)]).toEqual([
      ['gecode', 'org.gecode.gecode'],
      ['highs', 'org.minizinc.mip.highs'],
      ['chuffed', 'org.chuffed.chuffed'],
      ['coin-bc', 'org.minizinc.mip.coin-bc'],
    ]);
    expect(usableSolvers({ not: 'a list' }).size).toBe(0);
  });
});
