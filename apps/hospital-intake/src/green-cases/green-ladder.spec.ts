import { Hospital } from '../hospitals/hospital.types';
import { nextOnLadder, prefectureOf } from './green-ladder';

const hospital = (id: string, over: Partial<Hospital> = {}): Hospital => ({
  id,
  name: id,
  level: 'secondary',
  countyDivisionCode: '610921',
  kind: 'psychiatric',
  onCall: { name: '总值班', phone: '0915-0000000' },
  hasPsychiatricWard: false,
  takesGreenCases: true,
  webhookUrl: null,
  ...over,
});

describe('green-channel ladder', () => {
  const county = [hospital('county-1'), hospital('county-2')];
  const prefecture = [hospital('pref-1')];

  it('should ask the discharging psychiatric hospital first', () => {
    expect(
      nextOnLadder({
        dischargingHospital: hospital('discharger'),
        countyDesignated: county,
        prefectureDesignated: prefecture,
        tried: [],
      }),
    ).toEqual({ hospitalId: 'discharger', route: 'discharging-hospital' });
  });

  it('should take a general hospital back only when it has a psychiatric ward', () => {
    const general = hospital('general', { kind: 'general' });
    const withWard = hospital('ward', { kind: 'general', hasPsychiatricWard: true });
    const input = { countyDesignated: county, prefectureDesignated: prefecture, tried: [] };
    expect(nextOnLadder({ ...input, dischargingHospital: general })?.hospitalId).toBe('county-1');
    expect(nextOnLadder({ ...input, dischargingHospital: withWard })?.route).toBe('discharging-hospital');
  });

  it('should skip a hospital that does not take green cases', () => {
    const optedOut = hospital('discharger', { takesGreenCases: false });
    expect(
      nextOnLadder({
        dischargingHospital: optedOut,
        countyDesignated: [hospital('county-1', { takesGreenCases: false }), county[1]],
        prefectureDesignated: prefecture,
        tried: [],
      }),
    ).toEqual({ hospitalId: 'county-2', route: 'county-designated' });
  });

  it('should go down the ladder past tried hospitals to the prefecture, then to nobody', () => {
    const input = { countyDesignated: county, prefectureDesignated: prefecture };
    expect(nextOnLadder({ ...input, tried: ['county-1'] })?.hospitalId).toBe('county-2');
    expect(nextOnLadder({ ...input, tried: ['county-1', 'county-2'] })).toEqual({
      hospitalId: 'pref-1',
      route: 'prefecture-designated',
    });
    expect(nextOnLadder({ ...input, tried: ['county-1', 'county-2', 'pref-1'] })).toBeUndefined();
  });

  it('should not ask a hospital twice when it is designated at two levels', () => {
    const both = hospital('centre');
    expect(
      nextOnLadder({ countyDesignated: [both], prefectureDesignated: [both], tried: ['centre'] }),
    ).toBeUndefined();
  });

  it('should name the prefecture of a county', () => {
    expect(prefectureOf('610921')).toBe('610900');
  });
});
