import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@app/contracts';
import {
  ConfigurationError,
  DEFAULT_DATABASE_URL,
  DEFAULT_NATS_URL,
  defaultPortOf,
  loadServiceConfig,
  ServiceConfig,
} from './config';

/** Runs `fn` and returns the ConfigurationError it threw. */
function configurationError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe(loadServiceConfig.name, () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('defaults', () => {
    it('should use the defaults of registration when the environment is empty', () => {
      expect(loadServiceConfig('registration', {})).toEqual<ServiceConfig>({
        service: 'registration',
        databaseUrl: DEFAULT_DATABASE_URL,
        dbSchema: 'registration',
        dbStatementCacheSize: 200,
        natsServers: [DEFAULT_NATS_URL],
        busNamespace: '',
        httpPort: 3002,
        httpHost: '127.0.0.1',
        metricsHost: '127.0.0.1',
        logLevel: 'info',
        outboxPollIntervalMs: 1000,
        outboxHandoffMs: 5000,
        outboxBatchSize: 200,
        consumerLanes: 1,
        consumerBatchSize: 32,
        shutdownGraceMs: 10000,
        outboxBacklogReadyLimit: 10000,
        streamReplicas: 1,
        busProvisioning: 'self',
      });
    });

    it('should read BUS_PROVISIONING and refuse anything but self or verify', () => {
      expect(loadServiceConfig('registration', { BUS_PROVISIONING: 'verify' }).busProvisioning).toBe(
        'verify',
      );
      expect(
        configurationError(() => loadServiceConfig('registration', { BUS_PROVISIONING: 'admin' })).message,
      ).toContain('BUS_PROVISIONING must be self or verify');
    });

    it.each([
      ['hospital-intake', 3001, 'hospital_intake'],
      ['registration', 3002, 'registration'],
      ['rehab-site', 3003, 'rehab_site'],
      ['employment-referral', 3004, 'employment_referral'],
      ['ops-monitor', 3005, 'ops_monitor'],
    ] as const)('should default %s to port %i and schema %s', (service, port, schema) => {
      const sut = loadServiceConfig(service, {});

      expect(sut.service).toBe(service);
      expect(sut.httpPort).toBe(port);
      expect(sut.dbSchema).toBe(schema);
    });

    it('should give every service its own default port', () => {
      const ports = SERVICE_NAMES.map((service) => defaultPortOf(service));

      expect(new Set(ports).size).toBe(SERVICE_NAMES.length);
    });

    it('should ignore variables it does not know', () => {
      const sut = loadServiceConfig('registration', { PATH: '/usr/bin', HOME: '/root', http_port: 'abc' });

      expect(sut.httpPort).toBe(3002);
    });

    it('should read process.env when no environment is given', () => {
      jest.replaceProperty(process, 'env', { HTTP_PORT: '4555', BUS_NAMESPACE: 'ci1' });

      const sut = loadServiceConfig('ops-monitor');

      expect(sut.httpPort).toBe(4555);
      expect(sut.busNamespace).toBe('ci1');
    });
  });

  describe('overrides', () => {
    it('should parse numeric variables to numbers', () => {
      const sut = loadServiceConfig('rehab-site', {
        HTTP_PORT: '8080',
        OUTBOX_POLL_INTERVAL_MS: '250',
        OUTBOX_HANDOFF_MS: '0',
        OUTBOX_BATCH_SIZE: '50',
        CONSUMER_LANES: '2',
        CONSUMER_BATCH_SIZE: '8',
        SHUTDOWN_GRACE_MS: '0',
        OUTBOX_BACKLOG_READY_LIMIT: '123',
        STREAM_REPLICAS: '3',
        METRICS_PORT: '9464',
        METRICS_HOST: '0.0.0.0',
      });

      expect(sut).toMatchObject({
        httpPort: 8080,
        metricsPort: 9464,
        metricsHost: '0.0.0.0',
        outboxPollIntervalMs: 250,
        outboxHandoffMs: 0,
        outboxBatchSize: 50,
        consumerLanes: 2,
        consumerBatchSize: 8,
        shutdownGraceMs: 0,
        outboxBacklogReadyLimit: 123,
        streamReplicas: 3,
      });
    });

    it('should take string variables as given', () => {
      const sut = loadServiceConfig('registration', {
        DATABASE_URL: 'postgresql://app:pw@db.internal:6432/bus',
        DB_SCHEMA: 'registration_test',
        DB_RUNTIME_ROLE: 'registration_app',
        BUS_NAMESPACE: 'bench42',
        HTTP_HOST: '0.0.0.0',
        LOG_LEVEL: 'debug',
      });

      expect(sut).toMatchObject({
        databaseUrl: 'postgresql://app:pw@db.internal:6432/bus',
        dbSchema: 'registration_test',
        dbRuntimeRole: 'registration_app',
        busNamespace: 'bench42',
        httpHost: '0.0.0.0',
        logLevel: 'debug',
      });
    });

    it('should split a comma-separated NATS_URL into servers', () => {
      const sut = loadServiceConfig('registration', {
        NATS_URL: 'nats://n1:4222,nats://n2:4222,tls://n3:4223',
      });

      expect(sut.natsServers).toEqual(['nats://n1:4222', 'nats://n2:4222', 'tls://n3:4223']);
    });

    it('should keep a single NATS_URL as one server', () => {
      expect(loadServiceConfig('registration', { NATS_URL: 'nats://nats:4222' }).natsServers).toEqual([
        'nats://nats:4222',
      ]);
    });
  });

  describe('invalid values', () => {
    it.each([
      ['DATABASE_URL', 'mysql://root@localhost/bus'],
      ['DB_SCHEMA', 'Registration'],
      ['DB_RUNTIME_ROLE', 'app; DROP ROLE postgres'],
      ['NATS_URL', 'http://nats:4222'],
      ['NATS_URL', 'nats://n1:4222,,nats://n2:4222'],
      ['BUS_NAMESPACE', 'Bench'],
      ['BUS_NAMESPACE', 'bench-1'],
      ['HTTP_PORT', 'abc'],
      ['HTTP_PORT', '70000'],
      ['HTTP_PORT', '80.5'],
      ['METRICS_PORT', '65536'],
      ['METRICS_PORT', 'nine'],
      ['LOG_LEVEL', 'verbose'],
      ['OUTBOX_POLL_INTERVAL_MS', '5'],
      ['OUTBOX_HANDOFF_MS', '-1'],
      ['OUTBOX_HANDOFF_MS', '2.5'],
      ['OUTBOX_BATCH_SIZE', '0'],
      ['CONSUMER_LANES', '0'],
      ['CONSUMER_LANES', '65'],
      ['CONSUMER_BATCH_SIZE', '257'],
      ['CONSUMER_CONCURRENCY', '16'],
      ['SHUTDOWN_GRACE_MS', '-1'],
      ['OUTBOX_BACKLOG_READY_LIMIT', '0'],
      ['STREAM_REPLICAS', '2'],
    ])('should throw a ConfigurationError naming %s when it is %p', (name, value) => {
      const error = configurationError(() => loadServiceConfig('registration', { [name]: value }));

      expect(error.message).toContain(name);
      expect(error.message).toContain('Invalid configuration for registration');
    });

    it('should name every bad variable when several are invalid', () => {
      const error = configurationError(() =>
        loadServiceConfig('hospital-intake', {
          DATABASE_URL: 'not a url',
          BUS_NAMESPACE: 'UPPER',
          HTTP_PORT: 'abc',
          STREAM_REPLICAS: '2',
        }),
      );

      expect(error.message).toContain('DATABASE_URL must be a postgres:// URL');
      expect(error.message).toContain('BUS_NAMESPACE must be lower-case letters and digits');
      expect(error.message).toContain('HTTP_PORT');
      expect(error.message).toContain('STREAM_REPLICAS must be 1, 3 or 5');
      expect(error.message).toContain('hospital-intake');
    });

    it('should not name valid variables when others are invalid', () => {
      const error = configurationError(() =>
        loadServiceConfig('registration', { HTTP_PORT: '8080', STREAM_REPLICAS: '2' }),
      );

      expect(error.message).not.toContain('HTTP_PORT');
    });

    it('should throw an Error subclass so boot code can catch it generically', () => {
      const error = configurationError(() => loadServiceConfig('registration', { LOG_LEVEL: 'loud' }));

      expect(error).toBeInstanceOf(Error);
    });
  });

  describe('NATS credentials', () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'config-spec-'));
      writeFileSync(join(dir, 'svc.nk'), 'SU...');
      writeFileSync(join(dir, 'ca.pem'), 'ca');
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('should pass the seed and CA files through when they exist', () => {
      const config = loadServiceConfig('rehab-site', {
        NATS_NKEY_SEED_FILE: join(dir, 'svc.nk'),
        NATS_TLS_CA_FILE: join(dir, 'ca.pem'),
      });

      expect(config.natsNkeySeedFile).toBe(join(dir, 'svc.nk'));
      expect(config.natsTlsCaFile).toBe(join(dir, 'ca.pem'));
      expect(config.natsTlsCertFile).toBeUndefined();
    });

    it('should leave NATS unauthenticated and plain when none is set', () => {
      const config = loadServiceConfig('rehab-site', {});

      expect(config.natsNkeySeedFile).toBeUndefined();
      expect(config.natsTlsCaFile).toBeUndefined();
    });

    it('should name a missing seed file and a directory given as CA', () => {
      const error = configurationError(() =>
        loadServiceConfig('registration', {
          NATS_NKEY_SEED_FILE: join(dir, 'absent.nk'),
          NATS_TLS_CA_FILE: dir,
        }),
      );

      expect(error.message).toContain(
        `NATS_NKEY_SEED_FILE must name a readable file (${join(dir, 'absent.nk')}`,
      );
      expect(error.message).toContain(`NATS_TLS_CA_FILE must name a readable file (${dir}`);
    });

    it('should refuse a client certificate without its key', () => {
      const error = configurationError(() =>
        loadServiceConfig('registration', { NATS_TLS_CERT_FILE: join(dir, 'ca.pem') }),
      );

      expect(error.message).toContain('NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE must be set together');
    });
  });
});
