import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  body: string;
  headers: IncomingHttpHeaders;
}

export interface WebhookReceiver {
  readonly url: string;
  /** The calls answered 204, in order. */
  readonly received: ReceivedWebhook[];
  /** Every call, including those answered 503. */
  calls(): number;
  close(): Promise<void>;
}

/** A recipient's webhook endpoint on a random port: the first `failures` calls answer 503, then 204. */
export async function webhookReceiver(failures = 0): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let calls = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      calls++;
      if (calls <= failures) {
        res.writeHead(503).end();
        return;
      }
      received.push({ body, headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    calls: () => calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
