import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface GatewayMessage {
  readonly clientReference: string;
  readonly to: string;
  readonly templateCode: string;
  readonly params: Record<string, string>;
  readonly text: string;
}

/**
 * A local SMS gateway on loopback, as the SMS gateway sender expects one: `POST /messages` with a bearer key,
 * a repeated clientReference is the same message (same message id, no second SMS). Modes: `ok`; `fail` (503);
 * `ack-lost` (takes the message, then drops the connection before answering, as a crash of either side
 * between send and record would look).
 */
export class FakeSmsGateway {
  /** The SMS that reached a phone: one per distinct clientReference. */
  readonly messages = new Map<string, GatewayMessage & { messageId: string }>();
  /** Every request that came in (retries included). */
  requests = 0;
  mode: 'ok' | 'fail' | 'ack-lost' = 'ok';
  private server?: Server;
  url = '';

  constructor(readonly apiKey: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.requests += 1;
    const answer = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/messages') return answer(404, { error: 'not-found' });
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return answer(401, { error: 'unauthorised' });
    if (this.mode === 'fail') return answer(503, { error: 'unavailable' });
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as GatewayMessage;
    const known = this.messages.get(message.clientReference);
    const messageId = known?.messageId ?? `gw-${randomUUID()}`;
    if (!known) this.messages.set(message.clientReference, { ...message, messageId });
    if (this.mode === 'ack-lost') {
      req.socket.destroy();
      return;
    }
    answer(200, { messageId, status: 'accepted' });
  }
}
