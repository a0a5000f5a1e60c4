/** MLLP (HL7 Minimal Lower Layer Protocol, release 2): <VT> message <FS><CR>. */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export class MllpFrameTooLarge extends Error {}

/**
 * Splits a byte stream into MLLP frames: several frames in one chunk, a frame across many chunks, and
 * multi-byte characters split between chunks all give whole messages, as bytes (read in their character set
 * once complete: hl7-charset.ts). Bytes before a start block are discarded, as MLLP receivers do; a frame above
 * `maxBytes` throws MllpFrameTooLarge.
 */
export class MllpDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBytes = 1 << 20) {}

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const start = this.buffer.indexOf(VT);
      if (start < 0) {
        this.buffer = Buffer.alloc(0);
        return frames;
      }
      let end = this.buffer.indexOf(FS, start + 1);
      while (end >= 0 && end + 1 < this.buffer.length && this.buffer[end + 1] !== CR) {
        end = this.buffer.indexOf(FS, end + 1);
      }
      if (end < 0 || end + 1 >= this.buffer.length) {
        this.buffer = this.buffer.subarray(start);
        if (this.buffer.length > this.maxBytes) throw new MllpFrameTooLarge('MLLP frame too large');
        return frames;
      }
      if (end - start - 1 > this.maxBytes) throw new MllpFrameTooLarge('MLLP frame too large');
      frames.push(Buffer.from(this.buffer.subarray(start + 1, end)));
      this.buffer = this.buffer.subarray(end + 2);
    }
  }
}

/** One message framed for the wire (text as UTF-8; bytes as they are). */
export function mllpFrame(message: string | Buffer): Buffer {
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return Buffer.concat([Buffer.from([VT]), bytes, Buffer.from([FS, CR])]);
}
