/**
 * The demo cluster behind Ferry's provider ports: an InventoryProvider that reads the engine's
 * settled state, and an Effector that starts jobs and follows them as a hypervisor client does
 * (virsh migrate --verbose): progress while it runs, a client-side timeout that leaves the
 * operation running on the hypervisor, a cancel that aborts it there.
 */
import type {
  CancelSignal,
  Clock,
  EffectOutcome,
  EffectRequest,
  Effector,
  HostReading,
  InventoryProvider,
  InventoryScope,
  InventorySnapshot,
  VmJob,
} from '../../../src/cluster/ports.js';
import { applyOvercommit } from '../../../src/cluster/overcommit.js';
import type { Instance } from '../../../src/instance/instance.js';
import type { Model } from '../../../src/model/index.js';
import { nodesOf } from '../../../src/plan/actions.js';
import { type DemoEngineOptions, type DemoJob, type DemoSnapshot, DemoEngine, HOST_DOWN_ERROR, describeAction, jobFraction } from './engine.js';
import { waitFor } from '../wait.js';

// ---- inventory ---------------------------------------------------------------------------------

/**
 * Reads the demo cluster. Capacity is stated as every provider states it (src/cluster/overcommit):
 * the simulated hosts' physical capacity × the engine's overcommit ratio (cpu 3 by default), so
 * plans need no `overbook` line for the cluster's own policy. A host that is down is reported unreachable (its VMs stay where the
 * last settled state has them). With a scope, only the hosts in it (and the hosts of its VMs) get
 * a new reading time; the others keep the reading of the previous read, as a real provider that
 * only asked those hosts would. The model itself is always whole: it costs nothing more here.
 */
export function demoProvider(engine: DemoEngine, clusterId = 'demo'): InventoryProvider {
  const last = new Map<string, HostReading>();
  return {
    clusterId,
    read(scope?: InventoryScope, signal?: CancelSignal): Promise<InventorySnapshot> {
      if (signal?.aborted) return Promise.reject(new Error(`reading cluster ${clusterId} was cancelled`));
      try {
        const snap = engine.snapshot();
        applyOvercommit(snap.model, engine.overbook());
        const fresh = scopeHosts(snap, scope);
        const hosts = hostReadings(snap).map((h) => (fresh !== undefined && !fresh.has(h.name) ? (last.get(h.name) ?? h) : h));
        for (const h of hosts) last.set(h.name, h);
        return Promise.resolve({ clusterId, readAt: snap.readAt, model: snap.model, hosts, jobs: jobsByName(snap) });
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },
  };
}

function hostReadings(snap: DemoSnapshot): HostReading[] {
  const down = new Set(snap.hostsDown);
  const model = snap.model;
  return [...model.mapping.nodes()].map((node) => {
    const name = model.nodeName(node);
    const rack = model.attributes.getString('node', node, 'rack');
    return {
      name,
      readAt: snap.readAt,
      reachable: !down.has(name),
      ...(down.has(name) ? { error: HOST_DOWN_ERROR } : {}),
      ...(rack === undefined ? {} : { rack }),
    };
  });
}

/** The hosts a scoped read asks: its nodes, the hosts of its VMs and of their jobs; undefined: all. */
function scopeHosts(snap: DemoSnapshot, scope: InventoryScope | undefined): Set<string> | undefined {
  if (!scope) return undefined;
  const hosts = new Set(scope.nodes ?? []);
  for (const vm of scope.vms ?? []) {
    const host = hostOf(snap.model, vm);
    if (host !== undefined) hosts.add(host);
    for (const job of snap.jobs) if (job.subject === vm) for (const n of nodesOf<string>(job.action)) hosts.add(n);
  }
  return hosts;
}

function hostOf(model: Model, vm: string): string | undefined {
  const id = model.vmNames?.resolve(vm);
  const node = id === undefined ? undefined : model.mapping.host(id);
  return node === undefined ? undefined : model.nodeName(node);
}

function jobsByName(snap: DemoSnapshot): Map<string, VmJob> {
  const jobs = new Map<string, VmJob>();
  for (const job of snap.jobs) {
    jobs.set(job.subject, {
      kind: job.kind,
      ...(job.kind === 'migrate' && job.to !== null ? { to: job.to } : {}),
      startedAt: job.startedAt,
      fraction: jobFraction(job, snap.readAt),
      requestId: job.requestId,
    });
  }
  return jobs;
}

// ---- effects -----------------------------------------------------------------------------------

export interface DemoEffectorOptions {
  /** Longest wait between two polls of a job (ms, default 50); shorter jobs are polled sooner. */
  readonly pollMs?: number;
  /** The client's clock, for timeouts (default: wall clock). */
  readonly clock?: Clock;
}

/** Performs actions on the demo cluster; `perform` never rejects. */
export function demoEffector(engine: DemoEngine, options: DemoEffectorOptions = {}): Effector {
  const client: Client = { engine, pollMs: options.pollMs ?? 50, clock: options.clock ?? { now: () => Date.now() } };
  return {
    async perform(request: EffectRequest): Promise<EffectOutcome> {
      try {
        return await perform(client, request);
      } catch (e) {
        return { status: 'failed', error: `demo hypervisor: ${e instanceof Error ? e.message : String(e)}` };
      }
    },
  };
}

interface Client {
  readonly engine: DemoEngine;
  readonly pollMs: number;
  readonly clock: Clock;
}

async function perform(client: Client, request: EffectRequest): Promise<EffectOutcome> {
  const deadline = client.clock.now() + request.timeoutMs;
  if (request.signal.aborted) return { status: 'cancelled' };
  const started = client.engine.start(request.requestId, request.action);
  if (started.status === 'refused') return { status: 'failed', error: started.error };
  if (started.status === 'unreachable') return waitForNothing(client, request, deadline, started.error);
  return follow(client, request, deadline);
}

/** Polls the job until it ends, the client's timeout passes, or the request is cancelled. */
async function follow(client: Client, request: EffectRequest, deadline: number): Promise<EffectOutcome> {
  const { engine } = client;
  let reported = -1;
  for (;;) {
    if (request.signal.aborted) return cancelOnHypervisor(client, request);
    // a host of the job that stops answering hides how the job goes, as it would over SSH
    const silent = nodesOf<string>(request.action).find((n) => engine.isHostDown(n));
    let waitMs = client.pollMs;
    if (silent === undefined) {
      const status = engine.status(request.requestId);
      if (status.state !== 'running') return endOutcome(status, request);
      if (status.fraction !== reported) {
        reported = status.fraction;
        reportProgress(request, status.job, status.fraction, engine.now());
      }
      waitMs = Math.min(client.pollMs, Math.max(5, status.job.endsAt - engine.now()));
    }
    const left = deadline - client.clock.now();
    if (left <= 0) return timedOut(request, silent);
    await waitFor(Math.min(waitMs, left), request.signal);
  }
}

function endOutcome(status: ReturnType<DemoEngine['status']>, request: EffectRequest): EffectOutcome {
  switch (status.state) {
    case 'completed':
      return { status: 'succeeded' };
    case 'failed':
      return { status: 'failed', error: status.error };
    case 'cancelled':
      return { status: 'cancelled' };
    case 'unknown':
      return { status: 'failed', error: `the hypervisor has no trace of request ${request.requestId} (${describeAction(request.action)}): the cluster was reset?` };
    case 'running':
      throw new Error('endOutcome of a running job');
  }
}

function reportProgress(request: EffectRequest, job: DemoJob, fraction: number, now: number): void {
  const secondsLeft = Math.max(0, (job.startedAt + job.durationMs - now) / 1000);
  const bytes = job.bytesTotal > 0 ? { bytesMoved: Math.round(job.bytesTotal * fraction), bytesTotal: job.bytesTotal } : {};
  try {
    request.onProgress({ fraction, ...bytes, secondsLeft, message: `${describeAction(job.action)}: ${Math.round(fraction * 100)} %` });
  } catch {
    // a listener's bug must not be taken for the operation's failure
  }
}

/**
 * The client's timeout: the operation is left running on the hypervisor (virsh's client timeout
 * does not abort a migration); the executor re-reads the cluster to learn how it ended.
 */
function timedOut(request: EffectRequest, silentHost: string | undefined): EffectOutcome {
  const seconds = Math.round(request.timeoutMs / 100) / 10;
  const why = silentHost === undefined ? 'the operation had not finished' : `${silentHost} stopped answering (${HOST_DOWN_ERROR})`;
  return { status: 'timed-out', error: `${describeAction(request.action)}: no result within ${seconds} s: ${why}; it may still complete on the hypervisor` };
}

/** A host that does not answer: the request hangs until the client gives up (or is cancelled). */
async function waitForNothing(client: Client, request: EffectRequest, deadline: number, error: string): Promise<EffectOutcome> {
  for (;;) {
    if (request.signal.aborted) return { status: 'cancelled' };
    const left = deadline - client.clock.now();
    if (left <= 0) {
      const seconds = Math.round(request.timeoutMs / 100) / 10;
      return { status: 'timed-out', error: `${describeAction(request.action)}: no answer within ${seconds} s (${error})` };
    }
    await waitFor(Math.min(left, 250), request.signal);
  }
}

/**
 * Aborts the job on the hypervisor (virsh domjobabort): the model stays as it was. A job that
 * ended meanwhile reports how it ended; a host that does not answer cannot be told, so its job
 * goes on and the executor learns its fate from the next read.
 */
function cancelOnHypervisor(client: Client, request: EffectRequest): EffectOutcome {
  if (nodesOf<string>(request.action).some((n) => client.engine.isHostDown(n))) return { status: 'cancelled' };
  const status = client.engine.cancel(request.requestId);
  if (status.state === 'completed') return { status: 'succeeded' };
  if (status.state === 'failed') return { status: 'failed', error: status.error };
  return { status: 'cancelled' };
}


// ---- rehearsals --------------------------------------------------------------------------------

/**
 * A simulated copy of a cluster in `dir`, to rehearse a plan with faults: the settled state of a
 * demo engine (its jobs in flight and faults are not copied), or any instance's model. The
 * directory starts afresh even if it held a copy before.
 */
export function rehearsalCopy(source: DemoEngine | Instance, dir: string, options: Pick<DemoEngineOptions, 'speed' | 'clock' | 'overbook'> = {}): DemoEngine {
  const fromEngine = source instanceof DemoEngine;
  const seed: Instance = fromEngine ? { model: source.snapshot().model, constraints: [], objective: { id: 'minimizeMTTR' } } : source;
  const speed = options.speed ?? (fromEngine ? source.speed : undefined);
  const engine = DemoEngine.open(dir, {
    seed,
    ...(speed === undefined ? {} : { speed }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(fromEngine ? { overbook: source.overbook() } : options.overbook === undefined ? {} : { overbook: options.overbook }),
  });
  try {
    engine.reset(seed);
  } catch (e) {
    engine.close();
    throw e;
  }
  return engine;
}
