import { type Parsed, excerpt, kibOf, labelledLines, naturalNumber, parseError, parsed } from './parse.js';

/** `virsh nodeinfo`: the host's logical CPUs and memory (the capabilities' topology is preferred for CPUs). */
export interface NodeInfo {
  readonly cpuModel: string;
  /** Logical CPUs (`CPU(s)`): sockets × cores × threads of the online CPUs. */
  readonly cpus: number;
  readonly memoryKiB: number;
  readonly mhz?: number;
}

const COMMAND = 'virsh nodeinfo';

export function parseNodeInfo(output: string): Parsed<NodeInfo> {
  const fields = labelledLines(COMMAND, output);
  if (!fields.ok) return fields;
  const cpus = fields.value.get('CPU(s)');
  const memory = fields.value.get('Memory size');
  if (!cpus) return parseError(COMMAND, null, "no 'CPU(s):' line");
  if (!memory) return parseError(COMMAND, null, "no 'Memory size:' line");
  const cpuCount = naturalNumber(cpus.value);
  if (cpuCount === undefined || cpuCount === 0) return parseError(COMMAND, cpus.line, `CPU(s) must be a positive whole number, got ${excerpt(cpus.value)}`);
  const kib = kibOf(memory.value);
  if (kib === undefined || kib === 0) return parseError(COMMAND, memory.line, `Memory size must be an amount like '4548824 KiB', got ${excerpt(memory.value)}`);
  const mhzText = fields.value.get('CPU frequency')?.value.replace(/\s*MHz$/, '');
  const mhz = mhzText === undefined ? undefined : naturalNumber(mhzText);
  return parsed({ cpuModel: fields.value.get('CPU model')?.value ?? '', cpus: cpuCount, memoryKiB: kib, ...(mhz === undefined ? {} : { mhz }) });
}
