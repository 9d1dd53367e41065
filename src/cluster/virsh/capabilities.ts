import { type Parsed, excerpt, kibOf, naturalNumber, parseError, parsed } from './parse.js';
import { type XmlElement, parseXml, path } from './xml.js';

/** What Ferry takes from `virsh capabilities`: the host's identity and its NUMA topology. */
export interface HostCapabilities {
  readonly uuid?: string;
  readonly arch?: string;
  readonly cpuModel?: string;
  readonly cells: readonly { readonly id: number; readonly memoryKiB: number; readonly cpus: number }[];
  /** Logical CPUs over every cell. */
  readonly cpus: number;
  /** Memory over every cell (KiB). */
  readonly memoryKiB: number;
}

const COMMAND = 'virsh capabilities';

export function parseCapabilities(output: string): Parsed<HostCapabilities> {
  const doc = parseXml(COMMAND, output);
  if (!doc.ok) return doc;
  const root = doc.value;
  if (root.name !== 'capabilities') return parseError(COMMAND, root.line, `expected <capabilities> as the root, got <${root.name}>`);
  const host = path(root, 'host');
  if (!host) return parseError(COMMAND, root.line, 'no <host> element');
  const cellsElement = path(host, 'topology', 'cells');
  if (!cellsElement) return parseError(COMMAND, host.line, 'no <host><topology><cells> element');
  const cells: { id: number; memoryKiB: number; cpus: number }[] = [];
  for (const cell of cellsElement.children.filter((c) => c.name === 'cell')) {
    const read = readCell(cell);
    if (!read.ok) return read;
    cells.push(read.value);
  }
  if (cells.length === 0) return parseError(COMMAND, cellsElement.line, 'no <cell> in the topology');
  const uuid = path(host, 'uuid')?.text;
  const arch = path(host, 'cpu', 'arch')?.text;
  const cpuModel = path(host, 'cpu', 'model')?.text;
  return parsed({
    ...(uuid ? { uuid } : {}),
    ...(arch ? { arch } : {}),
    ...(cpuModel ? { cpuModel } : {}),
    cells,
    cpus: cells.reduce((s, c) => s + c.cpus, 0),
    memoryKiB: cells.reduce((s, c) => s + c.memoryKiB, 0),
  });
}

function readCell(cell: XmlElement): Parsed<{ id: number; memoryKiB: number; cpus: number }> {
  const id = naturalNumber(cell.attributes.get('id') ?? '');
  if (id === undefined) return parseError(COMMAND, cell.line, `<cell> needs a numeric id, got ${excerpt(cell.attributes.get('id') ?? '')}`);
  const memory = path(cell, 'memory');
  if (!memory) return parseError(COMMAND, cell.line, `cell ${id} has no <memory>`);
  const unit = memory.attributes.get('unit') ?? 'KiB';
  const kib = kibOf(`${memory.text} ${unit}`);
  if (kib === undefined) return parseError(COMMAND, memory.line, `cell ${id}: memory must be a whole amount, got ${excerpt(`${memory.text} ${unit}`)}`);
  const cpus = path(cell, 'cpus');
  if (!cpus) return parseError(COMMAND, cell.line, `cell ${id} has no <cpus>`);
  const listed = cpus.children.filter((c) => c.name === 'cpu').length;
  const declared = naturalNumber(cpus.attributes.get('num') ?? '');
  if (declared !== undefined && declared !== listed) return parseError(COMMAND, cpus.line, `cell ${id}: <cpus num='${declared}'> lists ${listed} <cpu> elements`);
  return parsed({ id, memoryKiB: kib, cpus: listed });
}
