/**
 * An in-process SSH host for tests: ssh2's Server with a generated ed25519 host key, on
 * 127.0.0.1 and a free port, accepting one client key, answering each `exec` through a handler.
 * It records every command line it was sent and how many connections it held at once.
 */
import { connect as tcpConnect, createServer, type Server as NetServer, type Socket } from 'node:net';

import ssh2, { type ParsedKey } from 'ssh2';

import { fingerprint } from '../../main/node/libvirt/known-hosts.js';

// ssh2 is CommonJS: Node's ESM loader gives its exports only through the default import
const { Server, utils } = ssh2;

export interface Answer {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly code?: number;
}

/** A handler answers a command line, possibly later (a Promise), possibly never (a migration that hangs). */
export type Handler = (command: string, host: FakeHost) => Answer | Promise<Answer>;

export interface KeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
  readonly blob: Buffer;
  readonly fingerprint: string;
}

/**
 * A fresh ed25519 key pair. ssh2's generator drops a leading zero byte of the public key about
 * once in 500 keys (the key then does not parse): such a pair is drawn again.
 */
export function keyPair(): KeyPair {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    const parsed = utils.parseKey(pair.public);
    if (parsed instanceof Error || Array.isArray(parsed) || utils.parseKey(pair.private) instanceof Error) continue;
    const blob = (parsed as ParsedKey).getPublicSSH();
    return { privateKey: pair.private, publicKey: pair.public, blob, fingerprint: fingerprint(blob) };
  }
}

export class FakeHost {
  readonly commands: string[] = [];
  /** Passwords clients tried (tests check none is sent unasked). */
  readonly passwordsTried: string[] = [];
  /** Where ProxyJump channels through this host went. */
  readonly forwards: string[] = [];
  connections = 0;
  peakConnections = 0;
  /** A host whose link went down (see freeze). */
  frozen = false;
  private readonly sockets = new Set<{ pause(): void; destroy(): void }>();

  /** The link goes down: nothing more is read from any connection (keepalives, logins, commands go unanswered). */
  freeze(): void {
    this.frozen = true;
    for (const s of this.sockets) s.pause();
  }
  private readonly clients = new Set<{ end(): void }>();

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly hostKey: KeyPair,
    private readonly server: NetServer,
  ) {}

  /**
   * `password`: also accept this password (hosts where operators log in with one), as the
   * `password` method, or only through PAM's `keyboard-interactive` prompt when `passwordVia` says so.
   */
  static async start(name: string, options: { clientKey: KeyPair; handler: Handler; hostKey?: KeyPair; password?: string; passwordVia?: 'password' | 'keyboard-interactive' }): Promise<FakeHost> {
    const via = options.passwordVia ?? 'password';
    const methods: ('publickey' | 'password' | 'keyboard-interactive')[] = options.password === undefined ? ['publickey'] : ['publickey', via];
    const hostKey = options.hostKey ?? keyPair();
    const allowed = utils.parseKey(options.clientKey.privateKey) as ParsedKey;
    const ref: { host?: FakeHost } = {};
    const server = new Server({ hostKeys: [hostKey.privateKey] }, (client) => {
      const host = ref.host as FakeHost;
      host.connections++;
      host.peakConnections = Math.max(host.peakConnections, host.connections);
      host.clients.add(client);
      // ssh2 keeps the TCP socket of a client connection here: pausing it is a link gone silent
      const socket = (client as unknown as { _sock?: { pause(): void; destroy(): void } })._sock;
      if (socket) {
        host.sockets.add(socket);
        client.on('close', () => host.sockets.delete(socket));
        if (host.frozen) socket.pause();
      }
      (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
      client.on('close', () => {
        host.connections--;
        host.clients.delete(client);
      });
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => {
        if (host.frozen) return;
        if (ctx.method === 'password') {
          if (via !== 'password') {
            ctx.reject(methods);
            return;
          }
          host.passwordsTried.push(ctx.password);
          if (options.password !== undefined && ctx.password === options.password) ctx.accept();
          else ctx.reject(methods);
          return;
        }
        if (ctx.method === 'keyboard-interactive') {
          if (via !== 'keyboard-interactive' || options.password === undefined) {
            ctx.reject(methods);
            return;
          }
          ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
            host.passwordsTried.push(answers[0] ?? '');
            if (answers[0] === options.password) ctx.accept();
            else ctx.reject(methods);
          });
          return;
        }
        if (ctx.method !== 'publickey' || ctx.key.algo !== allowed.type || !ctx.key.data.equals(allowed.getPublicSSH())) {
          ctx.reject(methods);
          return;
        }
        if (!ctx.signature) {
          ctx.accept();
          return;
        }
        if (allowed.verify(ctx.blob as Buffer, ctx.signature, ctx.hashAlgo)) ctx.accept();
        else ctx.reject(['publickey']);
      });
      client.on('ready', () => {
        // ProxyJump: a direct-tcpip channel to the next host
        client.on('tcpip', (accept, _reject, info) => {
          host.forwards.push(`${info.destIP}:${info.destPort}`);
          const channel = accept();
          const socket = tcpConnect(info.destPort, info.destIP);
          socket.on('error', () => channel.close());
          channel.on('error', () => socket.destroy());
          channel.pipe(socket).pipe(channel);
        });
        client.on('session', (accept) => {
          const session = accept();
          session.on('exec', (acceptExec, _reject, info) => {
            const stream = acceptExec();
            host.commands.push(info.command);
            if (host.frozen) return;
            let open = true;
            stream.on('close', () => {
              open = false;
            });
            void Promise.resolve(options.handler(info.command, host)).then((answer) => {
              if (!open) return;
              if (answer.stdout) stream.write(answer.stdout);
              if (answer.stderr) stream.stderr.write(answer.stderr);
              stream.exit(answer.code ?? 0);
              stream.end();
            });
          });
        });
      });
    });
    const port = await listen(server);
    ref.host = new FakeHost(name, port, hostKey, server);
    return ref.host;
  }

  /** The known_hosts line for this host. */
  knownHostsLine(): string {
    return `[127.0.0.1]:${this.port} ssh-ed25519 ${this.hostKey.blob.toString('base64')}`;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.end();
    // a frozen connection reads nothing, so it would never see the end: cut it
    if (this.frozen) for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCP port that accepts connections and never says a word (a host whose sshd hangs). */
export async function silentHost(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  const port = await listen(server);
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}
