// simple-hl7 has no type declarations; this adapter is the only place that touches it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const hl7 = require('simple-hl7') as Hl7Library;

interface Hl7Field {
  toString(delimiters: unknown): string;
}
interface Hl7Segment {
  name: string;
  fields: Hl7Field[];
}
interface Hl7Message {
  header: Hl7Segment & { delimiters: unknown };
  segments: Hl7Segment[];
  toString(): string;
}
interface Hl7Library {
  Parser: new (options: { segmentSeperator: string }) => { parse(text: string): Hl7Message };
  Message: new (...fields: unknown[]) => Hl7Message & {
    header: { addField(value: string, position: number): void };
    addSegment(name: string, ...fields: unknown[]): void;
  };
}

/** A parsed HL7v2 message reduced to what intake reads: segments of fields, each field of repetitions of components. */
export interface Hl7Document {
  /** MSH-n as text (MSH-1 is the field separator). */
  msh(n: number): string;
  segments(name: string): Hl7Row[];
}

export interface Hl7Row {
  /** Field n: repetitions → components (HL7 escapes resolved for the common ones). */
  field(n: number): string[][];
  /** First repetition, component c (1-based) of field n, or undefined when empty. */
  get(n: number, c?: number): string | undefined;
}

export class Hl7ParseError extends Error {}

function unescape(value: string): string {
  return value
    .replace(/\\F\\/g, '|')
    .replace(/\\S\\/g, '^')
    .replace(/\\R\\/g, '~')
    .replace(/\\T\\/g, '&')
    .replace(/\\E\\/g, '\\');
}

function row(fields: string[]): Hl7Row {
  const field = (n: number) => (fields[n - 1] ?? '').split('~').map((rep) => rep.split('^').map(unescape));
  return {
    field,
    get: (n, c = 1) => {
      const value = field(n)[0]?.[c - 1];
      return value === undefined || value === '' ? undefined : value;
    },
  };
}

/** Parses ER7 text (segments separated by CR, LF or CRLF) with simple-hl7. */
export function parseHl7(text: string): Hl7Document {
  const normalised = text
    .replace(/^\x0b/, '')
    .replace(/\x1c\r?$/, '')
    .replace(/\r\n|\n/g, '\r')
    .trim();
  if (!normalised.startsWith('MSH|^~\\&|')) {
    throw new Hl7ParseError('an HL7v2 message starts with MSH|^~\\&|');
  }
  let message: Hl7Message;
  try {
    message = new hl7.Parser({ segmentSeperator: '\r' }).parse(normalised);
  } catch (error) {
    throw new Hl7ParseError(`not an HL7v2 message: ${(error as Error).message}`);
  }
  const delimiters = message.header.delimiters;
  const text_ = (f: Hl7Field) => f.toString(delimiters);
  const headerFields = message.header.fields.map(text_);
  const segments = message.segments.map((s) => ({ name: s.name, fields: s.fields.map(text_) }));
  for (const s of segments) {
    if (!/^[A-Z][A-Z0-9]{2}$/.test(s.name))
      throw new Hl7ParseError(`bad segment name "${s.name.slice(0, 8)}"`);
  }
  return {
    // parser keeps MSH-3… in header.fields[0…]
    msh: (n) => (n === 1 ? '|' : n === 2 ? '^~\\&' : (headerFields[n - 3] ?? '')),
    segments: (name) => segments.filter((s) => s.name === name).map((s) => row(s.fields)),
  };
}

export interface AckInput {
  readonly controlId: string;
  /** MSH-9.2 of the message answered (A03, R01…): the ACK is `ACK^<trigger>^ACK`; plain `ACK` when unknown. */
  readonly trigger?: string;
  readonly receivingApp: string;
  readonly receivingFacility: string;
  readonly sendingApp: string;
  readonly sendingFacility: string;
  readonly version: string;
  /** MSH-18: the character set the ACK is sent in (the message's); empty for UTF-8 the message did not name. */
  readonly charset?: string;
  readonly code: 'AA' | 'AE' | 'AR';
  readonly text: string;
  /**
   * ERR-4 severity (HL7 table 0516): E error (the default), W warning (accepted, with what it lacks), I
   * information (accepted; what the sender does next, longer than MSA-3's 80 characters allow).
   */
  readonly errors?: { location: string; code: string; detail: string; severity?: 'E' | 'W' | 'I' }[];
}

/** MSH-9.2, the trigger event of a message (A03, R01…). */
export const triggerOf = (doc: Hl7Document): string => doc.msh(9).split('^')[1] ?? '';

const clean = (value: string) => value.replace(/[|^~\\&\r\n]/g, ' ');

/**
 * The ACK of a message (HL7 v2 original acknowledgment mode): MSH-9 `ACK^<trigger of the message>^ACK`, MSA-2 its
 * control id, one ERR per problem; built with simple-hl7, stamped `now`.
 */
export function buildAck(input: AckInput, now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const ack = new hl7.Message(
    input.sendingApp,
    input.sendingFacility,
    input.receivingApp,
    input.receivingFacility,
    stamp,
    '',
    input.trigger && /^[A-Z0-9]{3}$/.test(input.trigger) ? ['ACK', input.trigger, 'ACK'] : 'ACK',
    `ACK${stamp}${Math.floor(Math.random() * 1e6)}`,
    'P',
    input.version || '2.5',
  );
  // MSH-18 is the 16th field after MSH-2 (simple-hl7 keeps MSH-3… from index 1), padded with empty ones.
  if (input.charset) ack.header.addField(clean(input.charset), 16);
  ack.addSegment('MSA', input.code, clean(input.controlId), clean(input.text).slice(0, 80));
  for (const error of input.errors ?? []) {
    ack.addSegment(
      'ERR',
      '',
      error.location.split('^').map(clean),
      [clean(error.code), '', 'HL70357'],
      error.severity ?? 'E',
      '',
      '',
      '',
      clean(error.detail).slice(0, 250),
    );
  }
  return ack.toString();
}
