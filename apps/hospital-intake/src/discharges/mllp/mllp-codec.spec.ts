import { MllpDecoder, MllpFrameTooLarge, mllpFrame } from './mllp-codec';

describe(MllpDecoder.name, () => {
  const a = 'MSH|^~\\&|HIS|AKZX|||20261120||ADT^A03|1|P|2.5\rPID|1||^^^^NNCHN||孙^文静';
  const b = 'MSH|^~\\&|HIS|AKZX|||20261120||ADT^A03|2|P|2.5';

  it('should give every frame of one chunk, in order', () => {
    const sut = new MllpDecoder();

    expect(sut.push(Buffer.concat([mllpFrame(a), mllpFrame(b)])).map(String)).toEqual([a, b]);
  });

  it('should join a frame sent byte by byte, multi-byte characters split across chunks included', () => {
    const sut = new MllpDecoder();
    const bytes = mllpFrame(a);
    const out: string[] = [];

    for (let i = 0; i < bytes.length; i += 1) out.push(...sut.push(bytes.subarray(i, i + 1)).map(String));

    expect(out).toEqual([a]);
  });

  it('should skip bytes outside frames and a lone FS inside a message', () => {
    const sut = new MllpDecoder();
    const withFs = `${b}\x1cX`;

    expect(
      sut.push(Buffer.concat([Buffer.from('noise'), mllpFrame(withFs), Buffer.from('\r\n')])).map(String),
    ).toEqual([withFs]);
  });

  it('should refuse a frame above the limit', () => {
    const sut = new MllpDecoder(16);

    expect(() => sut.push(Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(64, 0x41)]))).toThrow(
      MllpFrameTooLarge,
    );
  });
});
