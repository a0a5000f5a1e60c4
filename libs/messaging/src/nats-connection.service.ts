import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { jetstream, JetStreamClient, jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';
import { JetStreamProvisioner } from './jetstream.provisioner';
import { Topology } from './topology';
import { natsClientOptions } from './security/nats-client-security';

export interface Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

/**
 * The service's one NATS connection. It connects in the background so the service boots (and keeps
 * taking writes into its outbox) while NATS is down; `ready()` resolves once connected and the streams and
 * this service's consumers are provisioned. Reconnects forever afterwards.
 */
@Injectable()
export class NatsConnectionService implements OnModuleInit {
  private readonly logger = new Logger(NatsConnectionService.name);
  private bus?: Bus;
  private closing = false;
  private resolveReady!: (bus: Bus) => void;
  private readonly readyPromise: Promise<Bus>;
  readonly topology: Topology;
  /** nkey, TLS and inbox prefix of this service's user; read at construction so a bad seed file stops the boot. */
  private readonly clientOptions: Partial<ConnectionOptions>;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly provisioner: JetStreamProvisioner,
  ) {
    this.topology = new Topology(options.namespace);
    this.clientOptions = natsClientOptions(options.service, options.security);
    this.readyPromise = new Promise((resolve) => (this.resolveReady = resolve));
  }

  onModuleInit(): void {
    void this.connectLoop();
  }

  /** Resolves once connected and provisioned; rejects when `signal` aborts first. */
  ready(signal?: AbortSignal): Promise<Bus> {
    if (this.bus) return Promise.resolve(this.bus);
    if (!signal) return this.readyPromise;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new Error('aborted while waiting for NATS'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void this.readyPromise.then((bus) => {
        signal.removeEventListener('abort', onAbort);
        resolve(bus);
      });
    });
  }

  /** Connected right now (false while reconnecting). */
  get connected(): boolean {
    return !!this.bus && !this.bus.nc.isClosed() && this.reachable;
  }

  private reachable = false;

  /** Why the last connection attempt did not become ready (shown by readiness), until one does. */
  problem: string | undefined;

  private async connectLoop(): Promise<void> {
    let delay = 250;
    while (!this.closing && !this.bus) {
      let nc: NatsConnection | undefined;
      try {
        nc = await connect({
          ...this.clientOptions,
          servers: this.options.servers,
          name: this.options.service,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          timeout: 3000,
          pingInterval: 10_000,
          // Every request (each JetStream publish's ack) otherwise builds two Error objects up front, for the
          // caller's stack should it time out: ~1 % of an app's busy time (issue #22). A timeout still fails with
          // a TimeoutError; it loses only the stack of where the request was made.
          noAsyncTraces: true,
        });
        this.watchStatus(nc);
        const js = jetstream(nc, { timeout: 5000 });
        const jsm = await jetstreamManager(nc, { timeout: 5000 });
        if (this.options.provisioning === 'verify') {
          await this.provisioner.verify(jsm, this.topology, this.options);
        } else {
          await this.provisioner.provision(jsm, this.topology, this.options);
        }
        if (this.closing) {
          await nc.close();
          return;
        }
        this.reachable = true;
        this.problem = undefined;
        this.bus = { nc, js, jsm };
        this.logger.log(
          `connected to NATS ${nc.getServer()} and ${this.options.provisioning === 'verify' ? 'verified' : 'provisioned'} its streams`,
        );
        this.resolveReady(this.bus);
      } catch (error) {
        // A connection that could not be provisioned must not live on, reconnecting forever in the background.
        await nc?.close().catch(() => undefined);
        this.problem = (error as Error).message;
        this.logger.warn(`NATS not ready (${(error as Error).message}); retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private watchStatus(nc: NatsConnection): void {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') {
          this.reachable = false;
          this.logger.warn('NATS disconnected; reconnecting');
        } else if (status.type === 'reconnect') {
          this.reachable = true;
          this.logger.log('NATS reconnected');
        }
      }
    })();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.bus && !this.bus.nc.isClosed()) {
      await this.bus.nc.drain().catch(() => this.bus?.nc.close());
    }
  }

  /** Closes the connection at once, without draining (a drain that overran the shutdown grace period). */
  async forceClose(): Promise<void> {
    this.closing = true;
    if (this.bus && !this.bus.nc.isClosed()) await this.bus.nc.close().catch(() => undefined);
  }
}
