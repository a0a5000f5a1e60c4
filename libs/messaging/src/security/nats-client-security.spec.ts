import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { natsClientOptions } from './nats-client-security';

describe(natsClientOptions.name, () => {
  let dir: string;
  let seedFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nats-client-'));
    seedFile = join(dir, 'svc.nk');
    writeFileSync(seedFile, new TextDecoder().decode(createUser().getSeed()) + '\n');
    writeFileSync(join(dir, 'ca.pem'), 'ca');
    writeFileSync(join(dir, 'not-a-seed.nk'), 'hello');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should be plain and unauthenticated by default, with the user’s own inbox prefix', () => {
    expect(natsClientOptions('rehab-site')).toEqual({ inboxPrefix: '_INBOX.rehab-site' });
  });

  it('should authenticate with the seed and turn TLS on with the CA', () => {
    const options = natsClientOptions('registration', {
      nkeySeedFile: seedFile,
      tlsCaFile: join(dir, 'ca.pem'),
    });

    expect(typeof options.authenticator).toBe('function');
    expect(options.tls).toEqual({ caFile: join(dir, 'ca.pem') });
  });

  it('should refuse a missing file, a file that is not a seed and a certificate without its key', () => {
    expect(() => natsClientOptions('x', { nkeySeedFile: join(dir, 'absent.nk') })).toThrow(/does not exist/);
    expect(() => natsClientOptions('x', { nkeySeedFile: join(dir, 'not-a-seed.nk') })).toThrow(/nkey seed/);
    expect(() => natsClientOptions('x', { tlsCertFile: join(dir, 'ca.pem') })).toThrow(/both or neither/);
  });
});
