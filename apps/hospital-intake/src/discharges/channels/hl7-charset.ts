import iconv from 'iconv-lite';
import { Hl7ParseError } from './hl7v2.adapter';

/** The character set a message was read in: its MSH-18 name (echoed in the ACK) and the decoder's label. */
export interface Hl7Charset {
  /** What the ACK's MSH-18 carries: the message's own MSH-18, or the table 0211 name ('' for UTF-8 unnamed). */
  readonly msh18: string;
  /** WHATWG / iconv label of the bytes. */
  readonly encoding: 'utf-8' | 'gb18030' | 'latin1' | 'big5';
}

export const UTF8: Hl7Charset = { msh18: '', encoding: 'utf-8' };

/**
 * MSH-18 values (HL7 table 0211, and the spellings Chinese HIS interfaces use for the same sets) this receiver
 * reads. GB 18030 decodes GBK and GB 2312 too (it is their superset).
 */
const BY_NAME: Readonly<Record<string, Hl7Charset['encoding']>> = {
  ASCII: 'utf-8',
  'UNICODE UTF-8': 'utf-8',
  'UTF-8': 'utf-8',
  UTF8: 'utf-8',
  '8859/1': 'latin1',
  'GB 18030-2000': 'gb18030',
  'GB18030-2000': 'gb18030',
  'GB 18030': 'gb18030',
  GB18030: 'gb18030',
  GBK: 'gb18030',
  GB2312: 'gb18030',
  'GB 2312': 'gb18030',
  CP936: 'gb18030',
  'BIG-5': 'big5',
  BIG5: 'big5',
};

/** How the ACK's MSH-18 names a set the message did not name in its own MSH-18 (HL7 table 0211). */
const STANDARD_NAME: Readonly<Record<Hl7Charset['encoding'], string>> = {
  'utf-8': 'UNICODE UTF-8',
  gb18030: 'GB 18030-2000',
  latin1: '8859/1',
  big5: 'BIG-5',
};

const READABLE = 'ASCII, 8859/1, UNICODE UTF-8, GB 18030-2000 (GBK, GB2312) or BIG-5';

const key = (name: string) => name.trim().toUpperCase().replace(/\s+/g, ' ');

function byLabel(name: string): Hl7Charset['encoding'] | undefined {
  const k = key(name);
  return BY_NAME[k] ?? BY_NAME[k.replace(/-/g, '')] ?? (k === 'ISO-8859-1' ? 'latin1' : undefined);
}

function decode(bytes: Uint8Array, encoding: Hl7Charset['encoding']): string | undefined {
  try {
    return new TextDecoder(encoding === 'latin1' ? 'latin1' : encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** MSH-18 read from the raw bytes: the header's fields before it are ASCII in practice, so latin1 keeps offsets. */
function msh18Of(bytes: Buffer): string {
  const start = bytes.indexOf('MSH');
  if (start < 0) return '';
  let end = start;
  while (end < bytes.length && bytes[end] !== 0x0d && bytes[end] !== 0x0a) end++;
  const header = bytes.toString('latin1', start, end);
  const separator = header[3];
  if (!separator) return '';
  // MSH-1 is the separator itself: MSH-n is split index n - 1.
  return (header.split(separator)[17] ?? '').split(header[4] ?? '^')[0].trim();
}

/**
 * Reads an HL7 v2 message's bytes as text in the character set it names: MSH-18 first (what the sender's
 * interface engine states), then the transport's charset (an HTTP Content-Type parameter), else UTF-8 and, when the
 * bytes are not UTF-8, GB 18030 (what Chinese HIS interfaces send without saying so). A message that names a set
 * this receiver does not read, or whose bytes are not in the set it names, is refused (Hl7ParseError: AE naming
 * MSH-18), never read as garbled text.
 */
export function decodeHl7(bytes: Buffer, transportCharset?: string): { text: string; charset: Hl7Charset } {
  const named = msh18Of(bytes);
  if (named) {
    const encoding = byLabel(named);
    if (!encoding) {
      throw new Hl7ParseError(
        `MSH-18 "${named.slice(0, 30)}" is not a character set read here (${READABLE})`,
      );
    }
    const text = decode(bytes, encoding);
    if (text === undefined) {
      throw new Hl7ParseError(
        `the message is not in the character set MSH-18 names ("${named.slice(0, 30)}")`,
      );
    }
    return { text, charset: { msh18: named, encoding } };
  }
  if (transportCharset) {
    const encoding = byLabel(transportCharset);
    if (!encoding) {
      throw new Hl7ParseError(
        `charset ${transportCharset.slice(0, 30)} is not a character set read here (${READABLE}); name it in MSH-18`,
      );
    }
    const text = decode(bytes, encoding);
    if (text === undefined) {
      throw new Hl7ParseError(
        `the message is not in the charset its Content-Type names (${transportCharset})`,
      );
    }
    return { text, charset: encoding === 'utf-8' ? UTF8 : { msh18: STANDARD_NAME[encoding], encoding } };
  }
  const utf8 = decode(bytes, 'utf-8');
  if (utf8 !== undefined) return { text: utf8, charset: UTF8 };
  const gb = decode(bytes, 'gb18030');
  if (gb !== undefined) return { text: gb, charset: { msh18: STANDARD_NAME.gb18030, encoding: 'gb18030' } };
  throw new Hl7ParseError(
    `the message is neither UTF-8 nor GB 18030: name its character set in MSH-18 (${READABLE})`,
  );
}

/** An ACK's bytes in the character set of the message it answers. */
export function encodeHl7(text: string, charset: Hl7Charset): Buffer {
  return charset.encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, charset.encoding);
}
