import { describe, expect, it } from 'vitest';

import { NativeMznRunner } from '../../main/node/solver/native-runner.js';
import { WasmMznRunner, pickRunner } from '../../main/node/solver/runners.js';

const native = await NativeMznRunner.detect();

describe('pickRunner', () => {
  it.skipIf(native === undefined)('picks the native minizinc when there is one', async () => {
    const runner = await pickRunner();
    expect(runner.kind).toBe('native');
    expect(runner.solvers).toContain('gecode');
  });

  it('falls back to the WASM build when the named executable does not exist, and gives it on request', async () => {
    const fallback = await pickRunner({ executable: '/nonexistent/minizinc' });
    expect(fallback.kind).toBe('wasm');
    expect(fallback.solvers).toEqual(expect.arrayContaining(['gecode', 'chuffed', 'highs', 'coin-bc']));
    await (fallback as WasmMznRunner).close();
    const wasm = await pickRunner({ prefer: 'wasm' });
    expect(wasm).toBeInstanceOf(WasmMznRunner);
    await (wasm as WasmMznRunner).close();
  });
});
