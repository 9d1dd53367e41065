/**
 * Domain listings: `virsh domstats --raw` (every domain in one call), `virsh dominfo` (one domain,
 * for what domstats did not say), `virsh list --all --name` and `virsh domstate`.
 */
import { type Parsed, excerpt, kibOf, labelledLines, linesOf, naturalNumber, parseError, parsed } from './parse.js';

/** libvirt's virDomainState. */
export const DOMAIN_STATES = ['no state', 'running', 'blocked', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended'] as const;
export type DomainState = (typeof DOMAIN_STATES)[number];

/** virDomainPausedReason 2: paused by an incoming or outgoing migration. */
export const PAUSED_MIGRATION = 2;

export interface DomainStats {
  readonly name: string;
  readonly state: DomainState;
  readonly reason?: number;
  readonly vcpus?: number;
  readonly maxMemoryKiB?: number;
  readonly currentMemoryKiB?: number;
  readonly rssKiB?: number;
  readonly cpuTimeNs?: number;
  /** From `dirtyrate.megabytes_per_second`, when a dirty-rate calculation has run. */
  readonly dirtyRateMiBs?: number;
}

const DOMSTATS = 'virsh domstats --raw';

/**
 * `Domain: 'name'` headers, each followed by indented `key=value` lines. Names are taken between
 * the first quote after the label and the last quote of the line, so a name may itself hold quotes.
 */
export function parseDomStats(output: string): Parsed<DomainStats[]> {
  const domains: DomainStats[] = [];
  const seen = new Set<string>();
  let name: string | null = null;
  let fields = new Map<string, string>();
  let headerLine = 0;
  const finish = (): Parsed<null> => {
    if (name === null) return parsed(null);
    const built = domainFromStats(name, fields, headerLine);
    if (!built.ok) return built;
    domains.push(built.value);
    return parsed(null);
  };
  const lines = linesOf(output);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    if (line.startsWith('Domain: ')) {
      const done = finish();
      if (!done.ok) return done;
      const rest = line.slice('Domain: '.length);
      if (!rest.startsWith("'") || !rest.endsWith("'") || rest.length < 3) return parseError(DOMSTATS, i + 1, `expected Domain: 'name', got ${excerpt(line)}`);
      name = rest.slice(1, -1);
      if (seen.has(name)) return parseError(DOMSTATS, i + 1, `domain ${excerpt(name)} is listed twice`);
      seen.add(name);
      fields = new Map();
      headerLine = i + 1;
      continue;
    }
    const m = /^\s+([\w.-]+)=(.*)$/.exec(line);
    if (!m || name === null) return parseError(DOMSTATS, i + 1, name === null ? `expected a Domain: header first, got ${excerpt(line)}` : `expected an indented key=value, got ${excerpt(line)}`);
    fields.set(m[1] ?? '', m[2] ?? '');
  }
  const done = finish();
  if (!done.ok) return done;
  return parsed(domains);
}

function domainFromStats(name: string, fields: Map<string, string>, line: number): Parsed<DomainStats> {
  const stateNumber = naturalNumber(fields.get('state.state') ?? '');
  const state = stateNumber === undefined ? undefined : DOMAIN_STATES[stateNumber];
  if (state === undefined) return parseError(DOMSTATS, line, `domain ${excerpt(name)}: state.state is missing or not one of libvirt's states (${excerpt(fields.get('state.state') ?? '')})`);
  const numbers: Record<string, number> = {};
  for (const key of ['state.reason', 'vcpu.current', 'vcpu.maximum', 'balloon.maximum', 'balloon.current', 'balloon.rss', 'cpu.time', 'dirtyrate.megabytes_per_second']) {
    const raw = fields.get(key);
    if (raw === undefined) continue;
    const n = naturalNumber(raw);
    if (n === undefined) return parseError(DOMSTATS, line, `domain ${excerpt(name)}: ${key} must be a whole number, got ${excerpt(raw)}`);
    numbers[key] = n;
  }
  const opt = (key: string, as: string): Record<string, number> => (numbers[key] === undefined ? {} : { [as]: numbers[key] });
  const vcpus = numbers['vcpu.current'] ?? numbers['vcpu.maximum'];
  return parsed({
    name,
    state,
    ...opt('state.reason', 'reason'),
    ...(vcpus === undefined ? {} : { vcpus }),
    ...opt('balloon.maximum', 'maxMemoryKiB'),
    ...opt('balloon.current', 'currentMemoryKiB'),
    ...opt('balloon.rss', 'rssKiB'),
    ...opt('cpu.time', 'cpuTimeNs'),
    ...opt('dirtyrate.megabytes_per_second', 'dirtyRateMiBs'),
  } as DomainStats);
}

export interface DomainInfo {
  readonly name: string;
  readonly state: DomainState;
  readonly vcpus: number;
  readonly maxMemoryKiB: number;
  readonly usedMemoryKiB?: number;
  readonly persistent?: boolean;
}

const DOMINFO = 'virsh dominfo';

export function parseDomInfo(output: string): Parsed<DomainInfo> {
  const fields = labelledLines(DOMINFO, output);
  if (!fields.ok) return fields;
  const get = (label: string): { value: string; line: number } | undefined => fields.value.get(label);
  const name = get('Name');
  const state = get('State');
  const cpus = get('CPU(s)');
  const max = get('Max memory');
  for (const [label, field] of [['Name', name], ['State', state], ['CPU(s)', cpus], ['Max memory', max]] as const) {
    if (!field) return parseError(DOMINFO, null, `no '${label}:' line`);
  }
  const stateName = DOMAIN_STATES.find((s) => s === state?.value);
  if (!stateName) return parseError(DOMINFO, state?.line ?? null, `unknown state ${excerpt(state?.value ?? '')}`);
  const vcpus = naturalNumber(cpus?.value ?? '');
  if (vcpus === undefined) return parseError(DOMINFO, cpus?.line ?? null, `CPU(s) must be a whole number, got ${excerpt(cpus?.value ?? '')}`);
  const maxKiB = kibOf(max?.value ?? '');
  if (maxKiB === undefined) return parseError(DOMINFO, max?.line ?? null, `Max memory must be an amount like '65536 KiB', got ${excerpt(max?.value ?? '')}`);
  const used = get('Used memory');
  const usedKiB = used === undefined ? undefined : kibOf(used.value);
  const persistent = get('Persistent')?.value;
  return parsed({
    name: name?.value ?? '',
    state: stateName,
    vcpus,
    maxMemoryKiB: maxKiB,
    ...(usedKiB === undefined ? {} : { usedMemoryKiB: usedKiB }),
    ...(persistent === 'yes' || persistent === 'no' ? { persistent: persistent === 'yes' } : {}),
  });
}

/** `virsh list --all --name`: one name per line. Blank lines are separators, not names. */
export function parseDomainNames(output: string): Parsed<string[]> {
  const names = linesOf(output).filter((l) => l.trim() !== '');
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const n = names[i] ?? '';
    if (seen.has(n)) return parseError('virsh list --all --name', null, `domain ${excerpt(n)} is listed twice`);
    seen.add(n);
  }
  return parsed(names);
}

/** `virsh domstate`: one state word (`running`, `shut off`, …). */
export function parseDomState(output: string): Parsed<DomainState> {
  const lines = linesOf(output).filter((l) => l.trim() !== '');
  const first = lines[0]?.trim() ?? '';
  const state = DOMAIN_STATES.find((s) => s === first);
  if (lines.length !== 1 || !state) return parseError('virsh domstate', 1, `expected one of libvirt's states, got ${excerpt(lines.join(' / '))}`);
  return parsed(state);
}
