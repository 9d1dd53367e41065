import { type InstanceSummary, type NodeLoad, summarizeInstance } from '../../../src/instance/summary.js';
import { safeName } from '../../../src/text/safe.js';
import { formatFileError, readInstanceFile } from '../../node/instance-file.js';
import { type Command, UsageError } from '../command.js';

const USAGE = `usage: ferry show INSTANCE [--top N]

Summarises a BtrPlace JSON instance (plain or gzipped): nodes, VMs by state, resources with their
capacity, the demand of the running VMs and the utilisation, the most loaded nodes, the constraints
counted by type (continuous / discrete) and the objective.

options:
  --top N   how many of the most loaded nodes to list (default 5)`;

export const showCommand: Command = {
  name: 'show',
  summary: 'summarise an instance: nodes, VMs, resources, load, constraints, objective',
  usage: USAGE,
  async run(args, io) {
    const { file, top } = parseArgs(args);
    const read = await readInstanceFile(file);
    if (!read.ok) {
      io.err(formatFileError(read.error));
      return 1;
    }
    io.out(formatSummary(file, summarizeInstance(read.value, { top })));
    return 0;
  },
};

function parseArgs(args: readonly string[]): { file: string; top: number } {
  let file: string | undefined;
  let top = 5;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--top') {
      const value = args[++i];
      if (value === undefined || !/^\d+$/.test(value)) throw new UsageError('--top needs a non-negative integer');
      top = Number(value);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option '${arg}'`);
    } else if (file === undefined) {
      file = arg;
    } else {
      throw new UsageError(`one instance file only (got '${file}' and '${arg}')`);
    }
  }
  if (file === undefined) throw new UsageError('missing INSTANCE file');
  return { file, top };
}

/** The text `ferry show` prints. */
export function formatSummary(file: string, summary: InstanceSummary): string {
  const s = shownSafe(summary);
  const lines: string[] = [`instance ${file}`];
  lines.push(`nodes        ${s.nodes.total} (${s.nodes.online} online, ${s.nodes.offline} offline)`);
  const vmParts = [`${s.vms.running} running`, `${s.vms.sleeping} sleeping`, `${s.vms.ready} ready`];
  if (s.vms.init > 0) vmParts.push(`${s.vms.init} init`);
  lines.push(`VMs          ${s.vms.total} (${vmParts.join(', ')})`);

  if (s.resources.length === 0) {
    lines.push('resources    none');
  } else {
    lines.push('resources    capacity of the online nodes, demand of the running VMs');
    const width = Math.max(...s.resources.map((r) => r.id.length));
    for (const r of s.resources) {
      const offline = r.offlineCapacity > 0 ? ` (+${r.offlineCapacity} offline)` : '';
      lines.push(`  ${r.id.padEnd(width)}  capacity ${r.capacity}${offline}  demand ${r.demand}  utilisation ${percent(r.utilisation)}`);
    }
  }

  if (s.mostLoaded.length > 0) {
    lines.push(`most loaded nodes`);
    const width = Math.max(...s.mostLoaded.map((n) => n.name.length));
    for (const n of s.mostLoaded) lines.push(`  ${n.name.padEnd(width)}  ${nodeLine(n)}`);
  }
  if (s.overloaded.length > 0) {
    const names = s.overloaded.slice(0, 10).map((n) => n.name);
    const more = s.overloaded.length > names.length ? `, ... (${s.overloaded.length} in all)` : '';
    lines.push(`overloaded   ${s.overloaded.length} node(s) use more than their capacity: ${names.join(', ')}${more}`);
  }

  const c = s.constraints;
  lines.push(`constraints  ${c.total} (${c.continuous} continuous, ${c.discrete} discrete)`);
  if (c.byId.length > 0) {
    const width = Math.max(...c.byId.map((k) => k.id.length));
    for (const k of c.byId) {
      lines.push(`  ${k.id.padEnd(width)}  ${String(k.continuous + k.discrete).padStart(6)}  (${k.continuous} continuous, ${k.discrete} discrete)`);
    }
  }
  lines.push(`objective    ${s.objective}`);
  return lines.join('\n');
}

/** Node and resource names come from the instance: through safeName, so none can forge a line. */
function shownSafe(s: InstanceSummary): InstanceSummary {
  const node = (n: NodeLoad): NodeLoad => ({ ...n, name: safeName(n.name), loads: n.loads.map((l) => ({ ...l, rc: safeName(l.rc) })) });
  return { ...s, resources: s.resources.map((r) => ({ ...r, id: safeName(r.id) })), mostLoaded: s.mostLoaded.map(node), overloaded: s.overloaded.map(node) };
}

function nodeLine(n: NodeLoad): string {
  const loads = n.loads.map((l) => `${l.rc} ${l.usage}/${l.capacity} (${percent(l.capacity > 0 ? l.usage / l.capacity : l.usage > 0 ? Infinity : undefined)})`);
  return [`${n.runningVMs} running VM(s)`, ...loads].join('  ');
}

function percent(ratio: number | undefined): string {
  if (ratio === undefined) return 'n/a';
  if (!Number.isFinite(ratio)) return 'over a zero capacity';
  return `${(ratio * 100).toFixed(1)}%`;
}
