import { buildAck, Hl7ParseError, parseHl7 } from './hl7v2.adapter';
import { hl7Timestamp, Hl7MappingError, mapAdtA03 } from './hl7v2.mapper';

const SAMPLE = [
  'MSH|^~\\&|HIS|AKZX|REFERRALBUS|INTAKE|20261120103000||ADT^A03^ADT_A03|CTRL42|P|2.5',
  'EVN|A03|20261120103000',
  'PID|1||MRN1^^^AKZX^MR~11010519491231002X^^^CHN^NNCHN||赵^磊||19491231|F|||西大街 3 号^^安康市^陕西省^725000^CHN^H^^610902001003||13809150000',
  'NK1|1|赵^建华|SPO||13809150001',
  'PV1|1|I|PSY^301^02||||||||||||||||ZY-1|||||||||||||||||01||||||||20261001090000|20261120100000+0800',
  'DG1|1||F20.0^偏执型精神分裂症^I10||20261120|F|||||||||1',
  'OBX|1|NM|RISK_LEVEL^危险性评估^L||2||||||F',
  'OBX|2|CE|CONDITION_STATUS^^L||stable||||||F',
  'OBX|3|CE|REHAB_NEEDS^^L||life-skills~day-care||||||F',
  'OBX|4|CE|LACKS_CAPACITY^^L||Y||||||F',
].join('\r');

describe('ADT^A03 mapping', () => {
  it('should read a discharge into the command', () => {
    const mapping = mapAdtA03(parseHl7(SAMPLE));

    expect(mapping.controlId).toBe('CTRL42');
    expect(mapping.header).toMatchObject({ sendingApp: 'HIS', sendingFacility: 'AKZX', version: '2.5' });
    expect(mapping.command).toMatchObject({
      encounterId: 'ZY-1',
      admittedAt: '2026-10-01T09:00:00+08:00',
      dischargedAt: '2026-11-20T10:00:00+08:00',
      dischargeDisposition: '01',
      patient: {
        name: '赵磊',
        idNumber: '11010519491231002X',
        birthDate: '1949-12-31',
        sex: 'female',
        lacksCapacity: true,
        guardian: { name: '赵建华', relationship: 'spouse', phone: '13809150001' },
      },
      diagnoses: [{ code: 'F20.0', primary: true }],
      assessment: {
        riskLevel: 2,
        conditionStatus: 'stable',
        rehabNeeds: ['life-skills', 'day-care'],
        employmentInterest: false,
      },
    });
    expect(mapping.command).toMatchObject({ hospitalIdentifiers: [{ system: 'AKZX^MR', value: 'MRN1' }] });
    expect(mapping.residence).toEqual({
      codes: [{ code: '610902001003', at: 'PID^1^11^1^9' }],
      parts: { province: '陕西省', prefecture: '安康市', text: '西大街 3 号' },
      at: 'PID^1^11',
    });
    expect(mapping.sources.get('#/patient/idNumber')).toBe('PID^1^3^2');
  });

  it('should read telephone fields as hospital systems fill them', () => {
    const withPhones = (pid13: string, nk15: string) =>
      mapAdtA03(
        parseHl7(SAMPLE.replace('||13809150000', `||${pid13}`).replace('SPO||13809150001', `SPO||${nk15}`)),
      ).command;
    // The HL7 v2.5.1 example's US form, XTN-6/7 without XTN-1, a Chinese number with spaces.
    expect(withPhones('(555)555-2004^PRN^PH', '^PRN^PH^^^0915^3212345')).toMatchObject({
      patient: { phone: '555-555-2004', guardian: { phone: '0915-3212345' } },
    });
    expect(withPhones('+86 139 1234 5678', '^^^^^^^^^^^13912345678')).toMatchObject({
      patient: { phone: '+86-139-1234-5678', guardian: { phone: '13912345678' } },
    });
    // Not a phone number however written: left as sent, for validation to name.
    expect(withPhones('call ward 3', '')).toMatchObject({ patient: { phone: 'call ward 3' } });
  });

  it('should accept LF-separated and MLLP-framed text', () => {
    expect(mapAdtA03(parseHl7(`\x0b${SAMPLE.replace(/\r/g, '\n')}\x1c\r`)).controlId).toBe('CTRL42');
  });

  it('should refuse text that is not HL7 and messages other than ADT^A03', () => {
    expect(() => parseHl7('PID|1')).toThrow(Hl7ParseError);
    expect(() => mapAdtA03(parseHl7(SAMPLE.replace('ADT^A03^ADT_A03', 'ORU^R01')))).toThrow(Hl7MappingError);
  });

  it('should convert HL7 timestamps, assuming China Standard Time without an offset', () => {
    expect(hl7Timestamp('202611201030')).toBe('2026-11-20T10:30:00+08:00');
    expect(hl7Timestamp('20261120103015-0500')).toBe('2026-11-20T10:30:15-05:00');
  });

  it('should build an ACK naming the message it answers and each problem', () => {
    const ack = buildAck(
      {
        controlId: 'CTRL42',
        trigger: 'A03',
        code: 'AE',
        text: 'bad | input',
        sendingApp: 'BUS',
        sendingFacility: 'INTAKE',
        receivingApp: 'HIS',
        receivingFacility: 'AKZX',
        version: '2.5',
        errors: [{ location: 'PID^1^3', code: 'ID_NUMBER_CHECKSUM', detail: 'checksum' }],
      },
      new Date('2026-11-20T02:00:00Z'),
    );
    const segments = ack.split('\r');

    expect(segments[0]).toMatch(/^MSH\|\^~\\&\|BUS\|INTAKE\|HIS\|AKZX\|20261120020000\|\|ACK\^A03\^ACK\|/);
    expect(segments[1]).toBe('MSA|AE|CTRL42|bad   input');
    expect(segments[2]).toBe('ERR||PID^1^3|ID_NUMBER_CHECKSUM^^HL70357|E||||checksum');
  });

  it.each([
    ['R01', 'ACK^R01^ACK'],
    ['A03', 'ACK^A03^ACK'],
    ['', 'ACK'],
  ])('should answer a message with trigger "%s" with MSH-9 %s and its control id', (trigger, msh9) => {
    const ack = buildAck(
      {
        controlId: 'ORU7',
        trigger,
        code: 'AA',
        text: 'ok',
        sendingApp: 'BUS',
        sendingFacility: 'INTAKE',
        receivingApp: 'HIS',
        receivingFacility: 'AKZX',
        version: '2.4',
      },
      new Date('2026-11-20T02:00:00Z'),
    );
    const [msh, msa] = ack.split('\r');

    expect(msh.split('|')[8]).toBe(msh9);
    expect(msa).toBe('MSA|AA|ORU7|ok');
  });
});
