/**
 * A libvirt cluster is a YAML file: its hosts (how to reach each over SSH) and how Ferry treats
 * them (overcommit, timeouts, concurrency, power commands). Errors are located `file:line:col`,
 * from the YAML positions, and never carry a stack trace. Relative paths are relative to the
 * file's folder; `~/` is the user's home.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

import { type Document, LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';

/** The defaults the README states: KVM clusters run CPU overcommitted, memory never unless said. */
export const DEFAULTS = {
  cpuOvercommit: 4,
  memoryOvercommit: 1,
  connectTimeoutSeconds: 10,
  commandTimeoutSeconds: 30,
  concurrency: 16,
  migrationTimeoutSeconds: 600,
  shutdownTimeoutSeconds: 120,
  powerTimeoutSeconds: 300,
  /** Where the source host's libvirtd sends a peer-to-peer migration ({address}: the destination's). */
  migrationUri: 'qemu+ssh://{address}/system',
  /** The libvirt connection virsh opens on each host (a non-root user's default would be qemu:///session). */
  libvirtUri: 'qemu:///system',
} as const;

const positive = z.number().finite().positive();
const seconds = z.number().finite().positive().max(86_400);
/** A host name is a node name of the model: printable, no path or shell surprises needed here. */
const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a host name is letters, digits, dots, dashes and underscores, starting with a letter or digit');
const templateVar = z.string().max(4096);

/** A power command: run on Ferry's machine (`local`, e.g. ipmitool, wakeonlan) or on the host over SSH. */
const PowerCommandSchema = z.union([z.string().min(1), z.object({ local: z.string().min(1) }).strict(), z.object({ ssh: z.string().min(1) }).strict()]);

const PowerSchema = z.object({ on: PowerCommandSchema.optional(), off: PowerCommandSchema.optional() }).strict();

const tuning = {
  cpuOvercommit: positive.max(64).optional(),
  memoryOvercommit: positive.max(16).optional(),
  connectTimeoutSeconds: seconds.optional(),
  commandTimeoutSeconds: seconds.optional(),
  migrationTimeoutSeconds: seconds.optional(),
  shutdownTimeoutSeconds: seconds.optional(),
  powerTimeoutSeconds: seconds.optional(),
  migrationUri: z.string().min(1).optional(),
  libvirtUri: z.string().min(1).optional(),
  user: z.string().min(1).max(64).optional(),
  identityFile: z.string().min(1).optional(),
  knownHosts: z.string().min(1).optional(),
  /** Ask for a password (through the front end) when keys and the agent are refused. */
  askPassword: z.boolean().optional(),
  power: PowerSchema.optional(),
  /** Link speed (Gbit/s) for migration-time estimates. */
  linkGbps: positive.max(10_000).optional(),
};

const HostSchema = z
  .object({
    name: hostName,
    /** An address or an alias of ~/.ssh/config; the name when absent. */
    address: z.string().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    rack: z.string().min(1).max(64).optional(),
    /** Values for the power command templates ({bmc}, {mac}, …). */
    vars: z.record(z.string().regex(/^\w+$/), templateVar).optional(),
    ...tuning,
  })
  .strict();

const ClusterSchema = z
  .object({
    name: z.string().min(1).max(128).optional(),
    concurrency: z.number().int().min(1).max(1024).optional(),
    /** An ssh_config file to honour instead of ~/.ssh/config (`none`: none). */
    sshConfig: z.string().min(1).optional(),
    ...tuning,
    hosts: z.array(HostSchema).min(1),
  })
  .strict();

export type PowerCommand = { readonly where: 'local' | 'ssh'; readonly template: string };

/** One host with every setting resolved (cluster value, else default). */
export interface HostConfig {
  readonly name: string;
  readonly address: string;
  readonly port?: number;
  readonly user?: string;
  readonly identityFile?: string;
  readonly knownHosts?: string;
  readonly rack?: string;
  readonly askPassword: boolean;
  /** `file:line:col` of the `askPassword: true` that applies to this host. */
  readonly askPasswordAt?: string;
  readonly cpuOvercommit: number;
  readonly memoryOvercommit: number;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly migrationTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly powerTimeoutMs: number;
  readonly migrationUri: string;
  readonly libvirtUri: string;
  readonly linkGbps?: number;
  readonly power: { readonly on?: PowerCommand; readonly off?: PowerCommand };
  readonly vars: Readonly<Record<string, string>>;
}

export interface ClusterConfig {
  /** The file it was read from (absolute): the cluster's identity. */
  readonly file: string;
  readonly name: string;
  readonly concurrency: number;
  /** The ssh_config to honour: a path, or null for none. */
  readonly sshConfig: string | null;
  readonly hosts: readonly HostConfig[];
}

export class ClusterConfigError extends Error {
  override name = 'ClusterConfigError';

  constructor(
    message: string,
    /** Where in the file (1-based), when the error is about its text: the editor marks that line. */
    readonly at: { readonly line: number; readonly column: number; readonly detail: string } | null = null,
  ) {
    super(message);
  }
}

/** Var names that would put a credential in the file: they stay in the environment (ipmitool -E) or a key file. */
const CREDENTIAL_VAR = /pass|secret|token|private|credential/i;

export function readClusterConfig(file: string): ClusterConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ClusterConfigError(`${absolute}: cannot read the cluster file (${code ?? (e instanceof Error ? e.message : String(e))})`);
  }
  return parseClusterConfig(text, absolute);
}

/** Parses the YAML text of `file` (absolute); throws ClusterConfigError with `file:line:col`. */
export function parseClusterConfig(text: string, file: string): ClusterConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col, text: `${file}:${line}:${col}` };
  };
  const fail = (where: Position, detail: string): never => {
    throw new ClusterConfigError(`${where.text}: ${detail}`, { line: where.line, column: where.column, detail });
  };
  const yamlError = doc.errors[0];
  if (yamlError) fail(at(yamlError.pos[0]), yamlError.message.split('\n')[0] ?? 'not valid YAML');
  const result = ClusterSchema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return fail(issue ? locate(doc, issue.path, at) : at(0), `${key}${issue?.message ?? 'not a cluster description'}`);
  }
  const cluster = result.data;
  const seen = new Map<string, number>();
  cluster.hosts.forEach((h, i) => {
    const first = seen.get(h.name);
    if (first !== undefined) fail(locate(doc, ['hosts', i, 'name'], at), `host ${h.name} is listed twice (first as hosts.${first})`);
    seen.set(h.name, i);
    for (const name of Object.keys(h.vars ?? {})) {
      if (CREDENTIAL_VAR.test(name)) fail(locate(doc, ['hosts', i, 'vars', name], at), `hosts.${i}.vars.${name}: a cluster file holds no credential (the console shows its text): keep it in the environment (ipmitool -E reads IPMI_PASSWORD) or a file the command reads`);
    }
  });
  /** Where `askPassword` was turned on for host `i` (its own key, else the cluster's), for a located "cannot ask" error. */
  const askedAt = (i: number, own: boolean | undefined): string => (own === undefined ? locate(doc, ['askPassword'], at) : locate(doc, ['hosts', i, 'askPassword'], at)).text;
  const dir = path.dirname(file);
  const resolvePath = (p: string | undefined): string | undefined => (p === undefined ? undefined : p.startsWith('~/') ? path.join(homedir(), p.slice(2)) : path.resolve(dir, p));
  const hosts = cluster.hosts.map((h, i): HostConfig => {
    const pick = <K extends keyof typeof tuning>(k: K): z.infer<(typeof tuning)[K]> => (h[k] ?? cluster[k]) as z.infer<(typeof tuning)[K]>;
    const power = { ...(cluster.power ?? {}), ...(h.power ?? {}) };
    const identityFile = resolvePath(pick('identityFile'));
    const knownHosts = resolvePath(pick('knownHosts'));
    const user = pick('user');
    const linkGbps = pick('linkGbps');
    return {
      name: h.name,
      address: h.address ?? h.name,
      ...(h.port === undefined ? {} : { port: h.port }),
      ...(user === undefined ? {} : { user }),
      ...(identityFile === undefined ? {} : { identityFile }),
      ...(knownHosts === undefined ? {} : { knownHosts }),
      ...(h.rack === undefined ? {} : { rack: h.rack }),
      askPassword: pick('askPassword') ?? false,
      ...(pick('askPassword') === true ? { askPasswordAt: askedAt(i, h.askPassword) } : {}),
      cpuOvercommit: pick('cpuOvercommit') ?? DEFAULTS.cpuOvercommit,
      memoryOvercommit: pick('memoryOvercommit') ?? DEFAULTS.memoryOvercommit,
      connectTimeoutMs: (pick('connectTimeoutSeconds') ?? DEFAULTS.connectTimeoutSeconds) * 1000,
      commandTimeoutMs: (pick('commandTimeoutSeconds') ?? DEFAULTS.commandTimeoutSeconds) * 1000,
      migrationTimeoutMs: (pick('migrationTimeoutSeconds') ?? DEFAULTS.migrationTimeoutSeconds) * 1000,
      shutdownTimeoutMs: (pick('shutdownTimeoutSeconds') ?? DEFAULTS.shutdownTimeoutSeconds) * 1000,
      powerTimeoutMs: (pick('powerTimeoutSeconds') ?? DEFAULTS.powerTimeoutSeconds) * 1000,
      migrationUri: pick('migrationUri') ?? DEFAULTS.migrationUri,
      libvirtUri: pick('libvirtUri') ?? DEFAULTS.libvirtUri,
      ...(linkGbps === undefined ? {} : { linkGbps }),
      power: { ...(power.on === undefined ? {} : { on: powerCommand(power.on) }), ...(power.off === undefined ? {} : { off: powerCommand(power.off) }) },
      vars: h.vars ?? {},
    };
  });
  const sshConfig = cluster.sshConfig === 'none' ? null : (resolvePath(cluster.sshConfig) ?? path.join(homedir(), '.ssh', 'config'));
  return { file, name: cluster.name ?? path.basename(file).replace(/\.ya?ml$/i, ''), concurrency: cluster.concurrency ?? DEFAULTS.concurrency, sshConfig, hosts };
}

function powerCommand(c: z.infer<typeof PowerCommandSchema>): PowerCommand {
  if (typeof c === 'string') return { where: 'local', template: c };
  return 'ssh' in c ? { where: 'ssh', template: c.ssh } : { where: 'local', template: c.local };
}

interface Position {
  readonly line: number;
  readonly column: number;
  /** `file:line:col` */
  readonly text: string;
}

/** The position of the deepest node along `keys` that exists in the document. */
function locate(doc: Document, keys: readonly PropertyKey[], at: (offset: number) => Position): Position {
  let node: unknown = doc.contents;
  let offset = 0;
  for (const key of keys) {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range) offset = range[0];
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      const keyRange = (pair.key as { range?: [number, number, number] } | null)?.range;
      if (keyRange) offset = keyRange[0];
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') node = node.items[key];
    else break;
  }
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (range && keys.length > 0) offset = range[0];
  return at(offset);
}
