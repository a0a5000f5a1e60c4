import iconv from 'iconv-lite';
import { decodeHl7, encodeHl7, UTF8 } from './hl7-charset';
import { Hl7ParseError } from './hl7v2.adapter';

const message = (msh18: string) =>
  `MSH|^~\\&|HIS|AKSJSWZX|JKRH|REFERRALBUS|20261206||ADT^A03|C1|P|2.5|||||CHN|${msh18}\rPID|1||||李^海峰`;

describe(decodeHl7.name, () => {
  it.each([
    ['GB 18030-2000', 'gb18030'],
    ['GBK', 'gb18030'],
    ['gb2312', 'gb18030'],
    ['UNICODE UTF-8', 'utf-8'],
    ['BIG-5', 'big5'],
  ] as const)(
    'should read a message in the set its MSH-18 (%s) names and keep that name for the ACK',
    (name, encoding) => {
      const text = message(name);
      const sut = decodeHl7(iconv.encode(text, encoding));

      expect(sut.text).toBe(text);
      expect(sut.charset).toEqual({ msh18: name, encoding });
    },
  );

  it('should read an unnamed message as UTF-8, or as GB 18030 when its bytes are not UTF-8', () => {
    const text = message('');
    expect(decodeHl7(Buffer.from(text, 'utf8'))).toEqual({ text, charset: UTF8 });
    expect(decodeHl7(iconv.encode(text, 'gb18030'))).toEqual({
      text,
      charset: { msh18: 'GB 18030-2000', encoding: 'gb18030' },
    });
  });

  it('should take the transport charset when MSH-18 is empty, and MSH-18 over it when both are there', () => {
    expect(decodeHl7(iconv.encode(message(''), 'big5'), 'Big5').charset.encoding).toBe('big5');
    expect(decodeHl7(iconv.encode(message('GB18030'), 'gb18030'), 'utf-8').charset.encoding).toBe('gb18030');
  });

  it('should refuse bytes that are not the named set, and sets it does not read, naming what is wrong', () => {
    expect(() => decodeHl7(iconv.encode(message('UNICODE UTF-8'), 'gb18030'))).toThrow(
      new Hl7ParseError('the message is not in the character set MSH-18 names ("UNICODE UTF-8")'),
    );
    expect(() => decodeHl7(Buffer.from(message('ISO IR87')))).toThrow(
      /MSH-18 "ISO IR87" is not a character set/,
    );
    expect(() => decodeHl7(Buffer.from(message('')), 'koi8-r')).toThrow(
      /charset koi8-r is not a character set/,
    );
  });

  it('should answer in the message set', () => {
    const ack = 'MSH|^~\\&|REFERRAL-BUS|HOSPITAL-INTAKE|HIS|安康市精神卫生中心';
    expect(iconv.decode(encodeHl7(ack, { msh18: 'GBK', encoding: 'gb18030' }), 'gb18030')).toBe(ack);
    expect(encodeHl7(ack, UTF8).toString('utf8')).toBe(ack);
  });
});
