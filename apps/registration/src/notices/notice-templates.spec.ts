import { CONSENT_PURPOSES, REHAB_SERVICES } from '@app/contracts';
import { maskPhone } from '../vault/patient-vault.service';
import {
  assertNoClinicalContent,
  assessmentParams,
  consentReminderParams,
  GENERIC_SITE_NAME,
  NOTICE_TEMPLATES,
  NOTICE_TEMPLATE_CODES,
  OUTCOME_PHRASES,
  PURPOSE_LABELS,
  renderNotice,
  SERVICE_LABELS,
  siteAssignedParams,
  SUBJECT_PHRASES,
  withdrawalParams,
} from './notice-templates';

/** Words and codes that would disclose a diagnosis, risk level or colour grade. */
const DIAGNOSIS_SAMPLES = [
  '精神分裂症',
  '抑郁症',
  '双相情感障碍',
  '诊断',
  '风险等级3级',
  '红色',
  'F20.0',
  'F31',
  '6A20',
  'ICD-10',
  'risk level 4',
  'schizophrenia',
];

const ROLES = ['patient', 'guardian'] as const;

/** Every text a notice can carry: each template rendered with every value its vocabulary can produce. */
function everyRenderedText(): string[] {
  const at = new Date('2027-01-29T16:30:00Z');
  const texts: string[] = [];
  for (const role of ROLES) {
    for (const eligible of [true, false]) {
      texts.push(
        renderNotice('assessment-outcome', assessmentParams(role, { eligible, needs: [...REHAB_SERVICES] })),
      );
      texts.push(renderNotice('assessment-outcome', assessmentParams(role, { eligible, needs: [] })));
    }
    texts.push(renderNotice('site-assigned', siteAssignedParams(role, { name: '老城街道社区康复站' })));
    texts.push(
      renderNotice(
        'site-assigned',
        siteAssignedParams(role, {
          name: '老城街道社区康复站',
          address: '汉滨区老城街道1号',
          phone: '0915-1234567',
        }),
      ),
    );
    for (const purpose of CONSENT_PURPOSES) {
      texts.push(renderNotice('consent-reminder', consentReminderParams(role, purpose, at)));
      texts.push(renderNotice('withdrawal-confirmation', withdrawalParams(role, purpose, at)));
    }
  }
  return texts;
}

describe('notice templates', () => {
  it('no diagnosis in any notice text: templates, vocabularies and every rendered text pass the scan', () => {
    // The scan itself catches each kind of clinical content.
    for (const sample of DIAGNOSIS_SAMPLES)
      expect(() => assertNoClinicalContent(`通知：${sample}`)).toThrow();
    const vocabulary = [
      ...Object.values(NOTICE_TEMPLATES),
      ...Object.values(SUBJECT_PHRASES),
      ...Object.values(OUTCOME_PHRASES),
      ...Object.values(SERVICE_LABELS),
      ...Object.values(PURPOSE_LABELS),
      GENERIC_SITE_NAME,
    ];
    for (const text of [...vocabulary, ...everyRenderedText()])
      expect(() => assertNoClinicalContent(text)).not.toThrow();
    expect(everyRenderedText().length).toBeGreaterThan(20);
  });

  it('the assessment outcome says only whether community rehabilitation is suggested (never the risk level)', () => {
    const params = assessmentParams('patient', { eligible: false, needs: ['day-care'] });
    // The parameters are built from the eligibility and needs alone: nothing else of the assessment can reach them.
    expect(Object.keys(params).sort()).toEqual(['outcome', 'services', 'subject']);
    expect(params.outcome).toBe(OUTCOME_PHRASES.notEligible);
    expect(Object.values(params).join('')).not.toMatch(/[0-9]/);
  });

  it('directory text that would disclose clinical content is left out of the site notice', () => {
    const params = siteAssignedParams('guardian', {
      name: '安康市精神卫生中心',
      address: 'F20病区',
      phone: '0915-1234567',
    });
    expect(params.siteName).toBe(GENERIC_SITE_NAME);
    expect(params.siteContact).toBe('电话：0915-1234567。');
    expect(() => renderNotice('site-assigned', params)).not.toThrow();
  });

  it('every template is rendered completely (no slot left, a missing parameter refused)', () => {
    for (const code of NOTICE_TEMPLATE_CODES) {
      expect(() => renderNotice(code, {})).toThrow(/parameter .* missing/);
    }
    for (const text of everyRenderedText()) expect(text).not.toMatch(/[{}]/);
  });

  it('masks numbers as 138****0000', () => {
    expect(maskPhone('13812340000')).toBe('138****0000');
    expect(maskPhone('+86 138-1234-0000')).toBe('138****0000');
    expect(maskPhone('12345')).toBe('***45');
  });
});
