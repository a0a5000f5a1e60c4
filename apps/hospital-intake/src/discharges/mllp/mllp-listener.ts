import { createServer as createTcpServer, AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ipRateKey, organisationPrincipalId, RateDecision, SharedRateLimiter } from '@app/auth';
import { Clock } from '@app/core';
import {
  HOSPITAL_INTAKE_CONFIG,
  HospitalIntakeConfig,
  MllpConfig,
} from '../../config/hospital-intake.config';
import { HospitalService } from '../../hospitals/hospital.service';
import { AuthenticatedHospital } from '../../hospitals/hospital.types';
import { buildAck, Hl7Document, Hl7ParseError, parseHl7, triggerOf } from '../channels/hl7v2.adapter';
import { decodeHl7, encodeHl7, Hl7Charset, UTF8 } from '../channels/hl7-charset';
import { versionProblem } from '../channels/hl7v2.mapper';
import { IntakeChannelsService } from '../intake-channels.service';
import { MllpDecoder, mllpFrame, MllpFrameTooLarge } from './mllp-codec';

/** Messages of one connection processed at once, and queued before the connection is paused. */
const WINDOW = 8;
const BACKLOG = 256;
/** Attempts at a message whose processing failed transiently. */
const RETRIES = 4;

/** What an ACK echoes of the message it answers (first components: the hospital is found by MSH-4.1). */
interface AckHeader {
  controlId: string;
  trigger: string;
  sendingApp: string;
  sendingFacility: string;
  version: string;
}

function ackHeaderOf(doc: Hl7Document): AckHeader {
  return {
    controlId: doc.msh(10),
    trigger: triggerOf(doc),
    sendingApp: doc.msh(3).split('^')[0],
    sendingFacility: doc.msh(4).split('^')[0],
    version: doc.msh(12).split('^')[0],
  };
}

/** The same of a message refused unread, as far as its header parses (an unreadable one leaves the defaults). */
function ackHeaderOfUnread(frame: string): Partial<AckHeader> {
  try {
    return Object.fromEntries(
      Object.entries(ackHeaderOf(parseHl7(frame))).filter(([, value]) => value !== ''),
    );
  } catch {
    return {};
  }
}

/**
 * HL7v2 over MLLP/TCP (optionally TLS): persistent connections, many messages per connection, each message
 * answered by exactly one ACK in the order received (AA accepted, AE its content is wrong, AR rejected: unknown
 * sending facility, unsupported version, unreadable). The sending facility (MSH-4) must be on the allow-list,
 * which names the registered hospital it is; the message then goes the same way as POST /v1/hl7/v2.
 */
@Injectable()
export class MllpListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MllpListener.name);
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hospitals = new Map<string, Promise<AuthenticatedHospital | undefined>>();

  constructor(
    @Inject(HOSPITAL_INTAKE_CONFIG) private readonly config: HospitalIntakeConfig,
    private readonly channels: IntakeChannelsService,
    private readonly registry: HospitalService,
    private readonly clock: Clock,
    private readonly limiter: SharedRateLimiter,
  ) {}

  /** The bound port (when listening). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const mllp = this.config.mllp;
    if (!mllp) return;
    const onConnection = (socket: Socket) => this.serve(socket, mllp);
    this.server = mllp.tls
      ? createTlsServer(
          { key: mllp.tls.key, cert: mllp.tls.cert, ca: mllp.tls.ca, requestCert: !!mllp.tls.ca },
          onConnection,
        )
      : createTcpServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(mllp.port, mllp.host, () => resolve());
    });
    this.logger.log(`MLLP listening on ${mllp.host}:${this.port}${mllp.tls ? ' (TLS)' : ''}`);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private serve(socket: Socket, mllp: MllpConfig): void {
    this.sockets.add(socket);
    const decoder = new MllpDecoder(mllp.maxBytes);
    // Up to WINDOW messages of a connection are processed at once; their ACKs go back in the order received.
    let writes = Promise.resolve();
    let inFlight = 0;
    let pending = 0;
    const waiting: (() => void)[] = [];
    const slot = () =>
      inFlight < WINDOW ? (inFlight++, Promise.resolve()) : new Promise<void>((r) => waiting.push(r));
    const release = () => {
      const next = waiting.shift();
      if (next) next();
      else inFlight--;
    };
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (error) {
        if (error instanceof MllpFrameTooLarge) {
          this.logger.warn(`MLLP frame above ${mllp.maxBytes} bytes from ${socket.remoteAddress}: closing`);
          socket.destroy();
          return;
        }
        throw error;
      }
      for (const frame of frames) {
        pending++;
        const ack = slot().then(() => this.answer(frame, mllp, socket.remoteAddress).finally(release));
        writes = writes.then(async () => {
          const answer = await ack;
          if (!socket.destroyed) socket.write(mllpFrame(encodeHl7(answer.ack, answer.charset)));
          if (--pending < BACKLOG / 2 && socket.isPaused()) socket.resume();
        });
      }
      // A sender far ahead of its ACKs waits (TCP back-pressure) instead of growing the queue.
      if (pending >= BACKLOG) socket.pause();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  /**
   * Exactly one ACK for one message, whatever happens. Each message counts against the peer address's budget
   * (before it is parsed) and then its hospital's (shared with the hospital's HTTP and NATS traffic); over
   * either, AE RATE_LIMITED: nothing is kept, the engine sends it again later.
   */
  private async answer(
    bytes: Buffer,
    mllp: MllpConfig,
    peer: string | undefined,
  ): Promise<{ ack: string; charset: Hl7Charset }> {
    let header: AckHeader = {
      controlId: '',
      trigger: '',
      sendingApp: '',
      sendingFacility: '',
      version: '2.5',
    };
    let charset = UTF8;
    let frame = '';
    /** An ACK refusing the message (one ERR at `location`), in the message's character set. */
    const refuse = (
      code: 'AE' | 'AR',
      text: string,
      error: { location: string; code: string; detail: string },
    ) => ({
      charset,
      ack: buildAck(
        {
          controlId: header.controlId,
          trigger: header.trigger,
          code,
          text,
          sendingApp: 'REFERRAL-BUS',
          sendingFacility: 'HOSPITAL-INTAKE',
          receivingApp: header.sendingApp,
          receivingFacility: header.sendingFacility,
          version: header.version,
          charset: charset.msh18,
          errors: [error],
        },
        this.clock.now(),
      ),
    });
    const reject = (text: string, code: string, location = 'MSH') =>
      refuse('AR', text, { location, code, detail: text });
    const limited = (decision: RateDecision) =>
      refuse('AE', `rate limit exceeded; send the message again in ${decision.retryAfterSeconds} s`, {
        location: 'MSH',
        code: 'RATE_LIMITED',
        detail: 'rate limit exceeded',
      });
    try {
      try {
        ({ text: frame, charset } = decodeHl7(bytes));
      } catch (error) {
        if (!(error instanceof Hl7ParseError)) throw error;
        // Its header is ASCII in practice: read as latin1, it still gives the ACK its control id and addressee.
        header = { ...header, ...ackHeaderOfUnread(bytes.toString('latin1')) };
        return reject(error.message, 'HL7_MESSAGE_INVALID', 'MSH^1^18');
      }
      const byPeer = await this.limiter.consume(ipRateKey(peer), 'ip');
      if (!byPeer.allowed) {
        header = { ...header, ...ackHeaderOfUnread(frame) };
        return limited(byPeer);
      }
      const doc = parseHl7(frame);
      header = ackHeaderOf(doc);
      const unsupported = versionProblem(header.version);
      if (unsupported) return reject(unsupported.detail, unsupported.code!, unsupported.pointer);
      const hospital = await this.hospitalOf(header.sendingFacility, mllp);
      if (!hospital) {
        return reject(
          `sending facility ${header.sendingFacility.slice(0, 40)} is not allowed`,
          'FACILITY_NOT_ALLOWED',
          'MSH^1^4',
        );
      }
      const byHospital = await this.limiter.consume(
        organisationPrincipalId('hospital', hospital.id),
        'principal',
      );
      if (!byHospital.allowed) return limited(byHospital);
      return await this.submitRetrying(hospital, frame, charset);
    } catch (error) {
      if (error instanceof Hl7ParseError) return reject(error.message, 'HL7_MESSAGE_INVALID');
      // Transient trouble (database, bus): AE tells the sender to send it again; nothing was kept.
      this.logger.warn(`MLLP message not processed: ${(error as Error).message}`);
      return refuse('AE', 'temporarily unavailable; send the message again', {
        location: 'MSH',
        code: 'UNAVAILABLE',
        detail: 'temporarily unavailable',
      });
    }
  }

  /**
   * A transient failure (the same encounter being written by another connection, a busy pool, a deadlock) is
   * tried again a few times before the sender is told to resend (AE): a hospital interface engine would
   * otherwise queue and resend it anyway.
   */
  private async submitRetrying(
    hospital: AuthenticatedHospital,
    frame: string,
    charset: Hl7Charset,
  ): Promise<{ ack: string; charset: Hl7Charset }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.channels.submitHl7(hospital, frame, charset);
      } catch (error) {
        if (attempt >= RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 25 * attempt + Math.random() * 50));
      }
    }
  }

  private hospitalOf(facility: string, mllp: MllpConfig): Promise<AuthenticatedHospital | undefined> {
    const id = Object.prototype.hasOwnProperty.call(mllp.facilities, facility)
      ? mllp.facilities[facility]
      : undefined;
    if (!id) return Promise.resolve(undefined);
    let found = this.hospitals.get(id);
    if (!found) {
      found = this.registry.get(id).then(
        (h) => ({ id: h.id, name: h.name }),
        () => undefined,
      );
      this.hospitals.set(id, found);
      // A facility mapped to a hospital not (yet) registered is asked again next time.
      void found.then((h) => h ?? this.hospitals.delete(id));
    }
    return found;
  }
}
