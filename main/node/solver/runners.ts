import type { MznRunner } from '../../../src/solver/ports.js';
import { NativeMznRunner } from './native-runner.js';
import { WasmMznRunner } from './wasm-runner.js';

export { NativeMznRunner } from './native-runner.js';
export { WasmMznRunner } from './wasm-runner.js';

/**
 * Picks the MiniZinc runner: a native `minizinc` (FERRY_MINIZINC, else PATH) when one is found,
 * since it flattens 10–30× faster than WASM; else the embedded WASM build. `prefer: 'wasm'` asks
 * for the WASM build first (it carries Chuffed and HiGHS, which a distro MiniZinc may lack).
 */
export async function pickRunner(options: { prefer?: 'native' | 'wasm'; executable?: string } = {}): Promise<MznRunner> {
  if (options.prefer === 'wasm') {
    try {
      return await WasmMznRunner.create();
    } catch {
      // fall through to native
    }
  }
  const native = await NativeMznRunner.detect(options.executable === undefined ? {} : { executable: options.executable });
  if (native) return native;
  return WasmMznRunner.create();
}
