import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { type WebSocket, WebSocketServer } from 'ws';

import type { ErrorBody } from '../../../src/contract/errors.js';
import { type ServerFrame, parseClientFrame } from './protocol.js';
import type { RpcEndpoint } from './server.js';

/**
 * Serve mode's `/events` WebSocket (protocol.ts): every subscription of a page over one
 * connection. A module of its own, loaded on the first WebSocket: `ws` and the frame parser (which
 * brings the contract's readers) are not on the path to the printed address.
 */

export interface EventSocketOptions {
  readonly rpc: RpcEndpoint;
  /** Largest frame from a client. */
  readonly maxFrameBytes: number;
  /** Subscriptions one WebSocket may hold at once. */
  readonly maxSubscriptions: number;
  readonly onError: (where: string, error: unknown) => void;
}

export class EventSockets {
  private readonly sockets: WebSocketServer;

  constructor(private readonly options: EventSocketOptions) {
    this.sockets = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes });
  }

  /** Completes an upgrade the HTTP layer has already checked (path, token, Origin and Host). */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // the client may have gone while this module loaded
    if (socket.destroyed) return;
    this.sockets.handleUpgrade(req, socket, head, (ws) => this.serve(ws));
  }

  /** Ends every WebSocket. */
  async close(): Promise<void> {
    for (const ws of this.sockets.clients) ws.terminate();
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
  }

  private serve(ws: WebSocket): void {
    const { rpc, maxSubscriptions: limit, onError } = this.options;
    const subscriptions = new Map<string, () => void>();
    const send = (frame: ServerFrame): void => {
      if (ws.readyState !== ws.OPEN) return;
      try {
        ws.send(JSON.stringify(frame));
      } catch (e) {
        onError('an event that JSON cannot carry', e);
      }
    };
    const tellError = (error: ErrorBody): void => send({ type: 'error', error });

    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return tellError({ code: 'invalid-request', message: '$: expected a JSON text frame, got a binary one', path: '$' });
      const parsed = parseClientFrame(rawText(data));
      if (!parsed.ok) return tellError(parsed.error);
      const frame = parsed.frame;
      if (frame.type === 'unsubscribe') {
        subscriptions.get(frame.id)?.();
        subscriptions.delete(frame.id);
        return;
      }
      if (subscriptions.has(frame.id)) return tellError({ code: 'invalid-request', message: `$.id: subscription ${JSON.stringify(frame.id)} already exists`, path: '$.id' });
      if (subscriptions.size >= limit) return tellError({ code: 'invalid-request', message: `$: at most ${limit} subscriptions per connection`, path: '$' });
      const unsubscribe = rpc.subscribe(frame.name, frame.input, (reply) => {
        // a refused subscription gets this one error and nothing after: forget it
        if (!reply.ok && reply.error.code === 'invalid-request') subscriptions.delete(frame.id);
        send({ type: 'event', id: frame.id, reply });
      });
      subscriptions.set(frame.id, unsubscribe);
    });
  }
}

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
