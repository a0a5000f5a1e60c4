import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsServerBinary, portOpen } from './nats-server';
import { freePort } from './ports';
import { waitFor } from './wait-for';

interface Node {
  readonly name: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly storeDir: string;
  process?: ChildProcess;
  running: boolean;
}

/** Three JetStream nodes on loopback ports forming one cluster, for replica and failover tests. */
export class LocalNatsCluster {
  private constructor(private readonly nodes: Node[]) {}

  static async start(size = 3): Promise<LocalNatsCluster> {
    const nodes: Node[] = [];
    for (let i = 0; i < size; i++) {
      nodes.push({
        name: `n${i + 1}`,
        clientPort: await freePort(),
        clusterPort: await freePort(),
        storeDir: mkdtempSync(join(tmpdir(), `nats-cluster-n${i + 1}-`)),
        running: false,
      });
    }
    const cluster = new LocalNatsCluster(nodes);
    for (let i = 0; i < nodes.length; i++) cluster.spawnNode(i);
    for (const node of nodes) {
      await waitFor(() => portOpen(node.clientPort), {
        timeoutMs: 15_000,
        message: `${node.name} listening`,
      });
    }
    await cluster.waitForJetStream();
    return cluster;
  }

  /** All client URLs (what a service's NATS_URL lists). */
  get urls(): string[] {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.clientPort}`);
  }

  private spawnNode(index: number): void {
    const node = this.nodes[index];
    const routes = this.nodes
      .filter((_, i) => i !== index)
      .map((n) => `nats://127.0.0.1:${n.clusterPort}`)
      .join(',');
    node.process = spawn(
      natsServerBinary(),
      [
        '-a',
        '127.0.0.1',
        '-p',
        String(node.clientPort),
        '-n',
        node.name,
        '-js',
        '-sd',
        node.storeDir,
        '--cluster_name',
        'referral-test',
        '-cluster',
        `nats://127.0.0.1:${node.clusterPort}`,
        '-routes',
        routes,
      ],
      { stdio: 'ignore' },
    );
    node.running = true;
    node.process.once('exit', () => (node.running = false));
  }

  /** Waits until the JetStream meta group has a leader (streams can be created). */
  async waitForJetStream(): Promise<void> {
    await waitFor(
      async () => {
        const nc = await connect({ servers: this.urls, timeout: 1000 });
        try {
          const jsm = await jetstreamManager(nc, { timeout: 2000 });
          await jsm.getAccountInfo();
          return true;
        } finally {
          await nc.close();
        }
      },
      { timeoutMs: 30_000, intervalMs: 500, message: 'JetStream cluster ready' },
    );
  }

  async killNode(index: number): Promise<void> {
    const node = this.nodes[index];
    if (!node.running || !node.process) return;
    const exited = new Promise((r) => node.process!.once('exit', r));
    node.process.kill('SIGKILL');
    await exited;
  }

  async restartNode(index: number): Promise<void> {
    if (this.nodes[index].running) return;
    this.spawnNode(index);
    await waitFor(() => portOpen(this.nodes[index].clientPort), { timeoutMs: 15_000 });
  }

  async stop(): Promise<void> {
    for (let i = 0; i < this.nodes.length; i++) await this.killNode(i);
    for (const node of this.nodes) rmSync(node.storeDir, { recursive: true, force: true });
  }
}
