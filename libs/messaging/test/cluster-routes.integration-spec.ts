import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevCertificates, renderClusterSecurity, ROUTE_USER } from '@app/messaging';
import { freePort, holdsFor, natsServerBinary, portOpen, waitFor } from '@app/testing';

interface Node {
  readonly name: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  process?: ChildProcess;
}

/**
 * Issue 14: cluster nodes authenticate their routes. Three nodes with the generated `cluster.conf` (route user
 * and password, TLS both ways) form a cluster on loopback; a fourth node holding a valid TLS certificate but
 * not the route password cannot join, and one with the password can (so the check can fail).
 */
describe('NATS cluster route authorization', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nats-routes-'));
  const password = 'a-route-password-only-cluster-nodes-know';
  const nodes: Node[] = [];
  let certs: ReturnType<typeof createDevCertificates>;

  const routesOf = async (node: Node): Promise<number> => (await peersOf(node)).length;

  /** The server ids at the far end of a node's established routes. */
  const peersOf = async (node: Node): Promise<string[]> => {
    const response = await fetch(`http://127.0.0.1:${node.monitorPort}/routez`);
    const routez = (await response.json()) as { routes?: { remote_id: string }[] | null };
    return (routez.routes ?? []).map((r) => r.remote_id);
  };
  const serverIdOf = async (node: Node): Promise<string> => {
    const response = await fetch(`http://127.0.0.1:${node.monitorPort}/varz`);
    return ((await response.json()) as { server_id: string }).server_id;
  };

  async function newNode(name: string): Promise<Node> {
    const node = {
      name,
      clientPort: await freePort(),
      clusterPort: await freePort(),
      monitorPort: await freePort(),
    };
    nodes.push(node);
    return node;
  }

  /** Writes the node's config (the generated cluster security block with `routePassword`) and starts it. */
  async function start(node: Node, routePassword: string, peers: Node[]): Promise<void> {
    const security = renderClusterSecurity({
      certFile: certs.certFile,
      keyFile: certs.keyFile,
      caFile: certs.caFile,
      password: routePassword,
    });
    writeFileSync(join(dir, `${node.name}-cluster.conf`), security);
    const routes = peers.map(
      (p) => `    "nats-route://${ROUTE_USER}:${routePassword}@127.0.0.1:${p.clusterPort}"`,
    );
    writeFileSync(
      join(dir, `${node.name}.conf`),
      [
        `server_name: ${node.name}`,
        `listen: 127.0.0.1:${node.clientPort}`,
        `http: 127.0.0.1:${node.monitorPort}`,
        'cluster {',
        '  name: route-test',
        `  listen: 127.0.0.1:${node.clusterPort}`,
        '  routes: [',
        ...routes,
        '  ]',
        `  include ./${node.name}-cluster.conf`,
        '}',
        '',
      ].join('\n'),
    );
    node.process = spawn(natsServerBinary(), ['-c', join(dir, `${node.name}.conf`)], { stdio: 'ignore' });
    await waitFor(() => portOpen(node.monitorPort), { timeoutMs: 15_000, message: `${node.name} listening` });
  }

  beforeAll(async () => {
    certs = createDevCertificates(join(dir, 'tls'));
    const [a, b, c] = [await newNode('a'), await newNode('b'), await newNode('c')];
    await start(a, password, [b, c]);
    await start(b, password, [a, c]);
    await start(c, password, [a, b]);
  }, 60_000);

  afterAll(async () => {
    for (const node of nodes) {
      if (!node.process || node.process.exitCode !== null) continue;
      const exited = new Promise((resolve) => node.process!.once('exit', resolve));
      node.process.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('should form the cluster over authenticated TLS routes and keep out a node without the route password', async () => {
    const [a, b, c] = nodes;
    await waitFor(async () => (await Promise.all([a, b, c].map(routesOf))).every((n) => n === 2), {
      timeoutMs: 30_000,
      message: 'three nodes, each with two routes',
    });

    // Same CA-signed certificate, same cluster name, routes to every node — but the wrong password. The members
    // check the password, so they are the ones that must never list the intruder (the intruder's own count may
    // flicker while it redials: it sees a member's INFO before the member refuses its CONNECT).
    const intruder = await newNode('intruder');
    await start(intruder, 'guessed-password', [a, b, c]);
    const intruderId = await serverIdOf(intruder);
    await holdsFor(
      async () =>
        (await Promise.all([a, b, c].map(peersOf))).every(
          (peers) => peers.length === 2 && !peers.includes(intruderId),
        ),
      4_000,
      250,
    );

    // The control: a node with the password joins at once, and the members list it.
    const member = await newNode('member');
    await start(member, password, [a, b, c]);
    const memberId = await serverIdOf(member);
    await waitFor(
      async () =>
        (await routesOf(member)) === 3 &&
        (await Promise.all([a, b, c].map(peersOf))).every((peers) => peers.includes(memberId)),
      { timeoutMs: 30_000, message: 'a node with the route password joins' },
    );
    for (const peers of await Promise.all([a, b, c, member].map(peersOf))) {
      expect(peers).not.toContain(intruderId);
    }
  });
});
