import { afterAll, describe } from 'vitest';

import { WasmMznRunner } from '../../main/node/solver/wasm-runner.js';
import { runnerContract } from './runner-contract.js';

let runner: Promise<WasmMznRunner> | undefined;
const getRunner = (): Promise<WasmMznRunner> => (runner ??= WasmMznRunner.create());

afterAll(async () => {
  if (runner) await (await runner).close();
});

describe('embedded WASM minizinc', () => {
  runnerContract('wasm/gecode', getRunner, { solver: 'gecode', timeLimitMs: 12_000 });
  runnerContract('wasm/chuffed', getRunner, { solver: 'chuffed', timeLimitMs: 12_000 });
});
