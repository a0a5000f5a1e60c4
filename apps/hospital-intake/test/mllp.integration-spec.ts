import iconv from 'iconv-lite';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { promisify } from 'node:util';
import { waitFor } from '@app/testing';
import { HospitalService } from '../src/hospitals/hospital.service';
import { MllpListener } from '../src/discharges/mllp/mllp-listener';
import { MllpDecoder, mllpFrame } from '../src/discharges/mllp/mllp-codec';
import { idNumberFor, withBadChecksum } from './fixtures';
import { AdtOptions, chineseAdtA03 } from './fixtures/chinese-hl7v2';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

const FACILITY = 'AKSJSWZX';
const VERSIONS: AdtOptions['version'][] = ['2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7'];
const FORMS: AdtOptions['idForm'][] = ['NNCHN', 'NI', 'OID'];

/** A client that sends frames over one connection and collects the ACKs (MSA-1, MSA-2). */
async function client(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const decoder = new MllpDecoder();
  const acks: { code: string; controlId: string; text: string; bytes: Buffer }[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const bytes of decoder.push(chunk)) {
      // ACKs come back in the message's character set: GB 18030 keeps ASCII as it is, so MSA reads the same.
      const ack = bytes.toString('latin1');
      const msa = ack
        .split('\r')
        .find((s) => s.startsWith('MSA|'))!
        .split('|');
      acks.push({ code: msa[1], controlId: msa[2], text: bytes.toString('utf8'), bytes });
    }
  });
  return {
    acks,
    send: (messages: (string | Buffer)[]) => socket.write(Buffer.concat(messages.map((m) => mllpFrame(m)))),
    close: () => socket.end(),
  };
}

describe('hospital-intake: HL7v2 over MLLP', () => {
  let w: HospitalIntakeHarness;
  let port: number;
  const hospitalId = `mllp-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    w = await startHospitalIntakeHarness({
      mllp: { port: 0, host: '127.0.0.1', facilities: { [FACILITY]: hospitalId }, maxBytes: 1 << 20 },
    });
    await w.service.app.get(HospitalService).register({
      id: hospitalId,
      name: '安康市精神卫生中心（测试）',
      level: 'secondary',
      countyDivisionCode: '610902',
      kind: 'psychiatric',
      onCall: { name: '总值班', phone: '0915-0000000' },
    });
    port = w.service.app.get(MllpListener).port!;
  });

  afterAll(async () => {
    await w?.close();
  });

  /** `count` discharges of `encounters` distinct encounters (each sent count/encounters times), ids unique per message. */
  const discharges = (prefix: string, count: number, encounters: number) =>
    Array.from({ length: count }, (_, i) => {
      const controlId = `${prefix}-${i}`;
      const message = chineseAdtA03({
        version: VERSIONS[i % VERSIONS.length],
        idForm: FORMS[i % FORMS.length],
        encounterId: `${prefix}-E${i % encounters}`,
        controlId,
        facility: FACILITY,
        idNumber: idNumberFor('1979-06-15', i % encounters),
      });
      return { controlId, message };
    });
  const referralsLike = (prefix: string) =>
    w.count('referral', 'hospital_id = $1 AND encounter_id LIKE $2', [hospitalId, `${prefix}-E%`]);
  const expectEachAckedOnce = (
    sent: { controlId: string }[],
    acks: { code: string; controlId: string }[],
  ) => {
    expect(acks).toHaveLength(sent.length);
    expect(acks.filter((a) => a.code !== 'AA')).toEqual([]);
    expect(acks.map((a) => a.controlId).sort()).toEqual(sent.map((s) => s.controlId).sort());
  };

  it('should ACK each of 1,000 messages on one connection once, in order, with one referral per encounter', async () => {
    const prefix = `ONE${Date.now()}`;
    const sent = discharges(prefix, 1000, 500);
    const c = await client(port);
    const started = Date.now();

    c.send(sent.map((s) => s.message));
    await waitFor(() => c.acks.length >= sent.length, { timeoutMs: 60_000 });
    const elapsed = Date.now() - started;
    c.close();

    expectEachAckedOnce(sent, c.acks);
    expect(c.acks.map((a) => a.controlId)).toEqual(sent.map((s) => s.controlId));
    expect(await referralsLike(prefix)).toBe(500);
    console.log(`MLLP: 1000 messages over one connection in ${elapsed} ms`);
  }, 90_000);

  it('should ACK each of 1,000 messages over ten connections at once, with one referral per encounter', async () => {
    const prefix = `TEN${Date.now()}`;
    // Each encounter is sent on two different connections at the same time.
    const sent = discharges(prefix, 1000, 500);
    const clients = await Promise.all(Array.from({ length: 10 }, () => client(port)));
    const shares = clients.map((_, k) => sent.filter((_, i) => i % 10 === k));
    const started = Date.now();

    clients.forEach((c, k) => c.send(shares[k].map((s) => s.message)));
    await waitFor(() => clients.every((c, k) => c.acks.length >= shares[k].length), { timeoutMs: 60_000 });
    const elapsed = Date.now() - started;
    clients.forEach((c) => c.close());

    clients.forEach((c, k) => expectEachAckedOnce(shares[k], c.acks));
    expect(await referralsLike(prefix)).toBe(500);
    console.log(`MLLP: 1000 messages over ten connections in ${elapsed} ms`);
  }, 90_000);

  it('should reject (AR) an unknown sending facility and an unsupported version, hold a wrong ID number (AA, W) and answer AE to a wrong diagnosis', async () => {
    const c = await client(port);
    const ok = { version: '2.5' as const, idNumber: idNumberFor('1979-06-15'), facility: FACILITY };

    c.send([
      chineseAdtA03({ ...ok, controlId: 'AR-FAC', facility: 'UNKNOWN_HOSP' }),
      chineseAdtA03({ ...ok, controlId: 'AR-VER' }).replace('|P|2.5', '|P|2.2'),
      chineseAdtA03({ ...ok, controlId: 'AA-HELD', idNumber: withBadChecksum(idNumberFor('1979-06-15')) }),
      chineseAdtA03({ ...ok, controlId: 'AE-DX' }).replace('F20.000^偏执型精神分裂症^I10', 'J45.9^哮喘^I10'),
      'not hl7 at all',
    ]);
    await waitFor(() => c.acks.length >= 5, { timeoutMs: 10_000 });
    c.close();

    expect(c.acks.map((a) => [a.controlId, a.code])).toEqual([
      ['AR-FAC', 'AR'],
      ['AR-VER', 'AR'],
      ['AA-HELD', 'AA'],
      ['AE-DX', 'AE'],
      ['', 'AR'],
    ]);
    expect(c.acks[0].text).toContain('FACILITY_NOT_ALLOWED');
    // A wrong ID number only blocks registration: the discharge is held (AA, ERR severity W), not refused.
    expect(c.acks[2].text).toMatch(/ERR\|\|PID\^1\^3\^2\|ID_NUMBER_CHECKSUM\^\^HL70357\|W\|/);
    expect(c.acks[3].text).toContain('NO_MENTAL_DISORDER_DIAGNOSIS');
  });
  it('should read a GB 18030 message in the set MSH-18 names (or, unnamed, by its bytes) and answer in it; refuse one whose bytes are not the named set', async () => {
    const c = await client(port);
    const ok = { version: '2.5' as const, facility: FACILITY };
    const gb = (text: string) => iconv.encode(text, 'gb18030');
    c.send([
      gb(
        chineseAdtA03({
          ...ok,
          controlId: 'GB-NAMED',
          idNumber: idNumberFor('1979-06-15', 901),
          charset: 'GB 18030-2000',
        }),
      ),
      gb(chineseAdtA03({ ...ok, controlId: 'GB-UNNAMED', idNumber: idNumberFor('1979-06-15', 902) })),
      gb(
        chineseAdtA03({
          ...ok,
          controlId: 'GB-AS-UTF8',
          idNumber: idNumberFor('1979-06-15', 903),
          charset: 'UNICODE UTF-8',
        }),
      ),
    ]);
    await waitFor(() => c.acks.length >= 3, { timeoutMs: 10_000 });
    c.close();

    // The residence (南新街 18 号^老城街道^安康市^陕西省…汉滨区) resolved: read as garbled text it would be held.
    expect(c.acks.map((a) => [a.controlId, a.code])).toEqual([
      ['GB-NAMED', 'AA'],
      ['GB-UNNAMED', 'AA'],
      ['GB-AS-UTF8', 'AR'],
    ]);
    const named = iconv.decode(c.acks[0].bytes, 'gb18030');
    expect(named.split('\r')[0].split('|')[17]).toBe('GB 18030-2000');
    expect(named).toMatch(/MSA\|AA\|GB-NAMED\|referral [0-9a-f-]{36}/);
    expect(iconv.decode(c.acks[1].bytes, 'gb18030').split('\r')[0].split('|')[17]).toBe('GB 18030-2000');
    expect(c.acks[2].text).toContain('not in the character set MSH-18 names');
    expect(c.acks[2].text).toContain('MSH^1^18');
  });
});

describe('hospital-intake: HL7v2 over MLLP with TLS', () => {
  let w: HospitalIntakeHarness;
  let dir: string;
  let cert: Buffer;
  const hospitalId = `mllps-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mllp-tls-'));
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    cert = readFileSync(join(dir, 'cert.pem'));
    w = await startHospitalIntakeHarness({
      mllp: {
        port: 0,
        host: '127.0.0.1',
        facilities: { [FACILITY]: hospitalId },
        maxBytes: 1 << 20,
        tls: { key: readFileSync(join(dir, 'key.pem')), cert },
      },
    });
    await w.service.app.get(HospitalService).register({
      id: hospitalId,
      name: '安康市精神卫生中心（TLS 测试）',
      level: 'secondary',
      countyDivisionCode: '610902',
      kind: 'psychiatric',
      onCall: { name: '总值班', phone: '0915-0000000' },
    });
  });

  afterAll(async () => {
    await w?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should take a discharge over TLS and ACK it', async () => {
    const port = w.service.app.get(MllpListener).port!;
    const socket = connectTls({ port, host: '127.0.0.1', ca: cert, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    const decoder = new MllpDecoder();
    const acks: string[] = [];
    socket.on('data', (chunk: Buffer) => acks.push(...decoder.push(chunk).map(String)));

    socket.write(
      mllpFrame(
        chineseAdtA03({
          version: '2.5.1',
          controlId: 'TLS-1',
          facility: FACILITY,
          idNumber: idNumberFor('1979-06-15'),
        }),
      ),
    );
    await waitFor(() => acks.length >= 1, { timeoutMs: 10_000 });
    socket.end();

    expect(acks[0]).toContain('MSA|AA|TLS-1|');
    expect(await w.count('referral', 'hospital_id = $1', [hospitalId])).toBe(1);
  });
});
