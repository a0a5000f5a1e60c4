import { ConsentPurpose, RehabService } from '@app/contracts';
import { NoticeRecipientRole } from '../vault/patient-vault.service';

/**
 * The notices sent to a patient and guardian, in Chinese, with named parameters. They tell the outcome in plain
 * words and never carry a diagnosis, ICD code, risk level or colour grade: every parameter is either a phrase
 * from the closed vocabularies below or directory text (a site's name, address, phone), and every rendered text
 * passes `assertNoClinicalContent` before it is queued.
 */
export const NOTICE_TEMPLATES = {
  'assessment-outcome':
    '【社区康复转介】{subject}的康复评估已完成：{outcome}。建议的服务：{services}。如有疑问，请联系当地登记机构。',
  'site-assigned':
    '【社区康复转介】{subject}已被安排到{siteName}接受社区康复服务。{siteContact}机构将与您联系，请留意来电。',
  'consent-reminder':
    '【社区康复转介】{subject}的转介申请还需要您的知情同意（{purpose}）。请尽快联系登记机构办理，{expiresOn}前未办理的申请将结束。',
  'withdrawal-confirmation':
    '【社区康复转介】已收到{subject}撤回知情同意（{purpose}）的申请，自{withdrawnOn}起不再为此转介或共享信息。如需重新申请，请联系登记机构。',
} as const;

export type NoticeTemplateCode = keyof typeof NOTICE_TEMPLATES;
export const NOTICE_TEMPLATE_CODES = Object.keys(NOTICE_TEMPLATES) as NoticeTemplateCode[];
export type NoticeParams = Readonly<Record<string, string>>;
export type RecipientRole = NoticeRecipientRole;

/** How the person the notice is about is named: never by name (a phone may be shared). */
export const SUBJECT_PHRASES: Record<RecipientRole, string> = {
  patient: '您',
  guardian: '您监护的家属',
};

/** The assessment outcome in plain words: only whether community rehabilitation is suggested. */
export const OUTCOME_PHRASES = {
  eligible: '适合参加社区康复服务，我们将为您联系就近的康复机构',
  notEligible: '建议目前先在医疗机构继续治疗和随访，暂不安排社区康复机构',
} as const;

export const SERVICE_LABELS: Record<RehabService, string> = {
  'day-care': '日间照料',
  'home-support': '居家支持',
  'life-skills': '生活技能训练',
  'social-skills': '社交技能训练',
  'vocational-rehab': '职业康复',
  'family-support': '家庭支持',
  'peer-support': '同伴支持',
  counselling: '心理辅导',
};

export const PURPOSE_LABELS: Record<ConsentPurpose, string> = {
  'community-rehab': '社区康复服务',
  employment: '就业服务',
  'information-sharing': '信息共享',
};

/**
 * What a notice must never say: diagnosis words, ICD-10/11 style codes, risk level, colour grade, condition.
 * Used at render time and by the unit test that scans every template and parameter vocabulary.
 */
export const CLINICAL_CONTENT =
  /诊断|精神|分裂|抑郁|双相|躁狂|焦虑|强迫|癫痫|痴呆|妄想|幻觉|病情|病名|风险|危险|等级|级别|肇事|肇祸|红色|橙色|黄色|绿色|[A-Z]\d{2}(\.\d{1,2})?(?![0-9])|ICD|diagnos|risk|grade|schizo|bipolar|psycho/i;

/** Said instead of a site name that would itself disclose clinical content. */
export const GENERIC_SITE_NAME = '指定的社区康复机构';

export class ClinicalContentError extends Error {}

export function assertNoClinicalContent(text: string): void {
  const found = CLINICAL_CONTENT.exec(text);
  if (found) throw new ClinicalContentError(`notice text carries clinical content ("${found[0]}")`);
}

/** Fills a template's `{name}` slots; a missing parameter is an error (no half-filled text is ever sent). */
export function renderNotice(code: NoticeTemplateCode, params: NoticeParams): string {
  const text = NOTICE_TEMPLATES[code].replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`notice ${code}: parameter ${name} missing`);
    return value;
  });
  assertNoClinicalContent(text);
  return text;
}

/** A date as the notices write it (Asia/Shanghai calendar day): 2026年12月5日. */
export function noticeDate(at: Date): string {
  const local = new Date(at.getTime() + 8 * 3_600_000);
  return `${local.getUTCFullYear()}年${local.getUTCMonth() + 1}月${local.getUTCDate()}日`;
}

export function assessmentParams(
  role: RecipientRole,
  assessment: { eligible: boolean; needs: readonly RehabService[] },
): NoticeParams {
  return {
    subject: SUBJECT_PHRASES[role],
    outcome: assessment.eligible ? OUTCOME_PHRASES.eligible : OUTCOME_PHRASES.notEligible,
    services:
      assessment.needs.length > 0
        ? assessment.needs.map((n) => SERVICE_LABELS[n]).join('、')
        : '由机构与您商定',
  };
}

export function siteAssignedParams(
  role: RecipientRole,
  site: { name: string; address?: string; phone?: string },
): NoticeParams {
  // Directory text that would tell more than "community rehabilitation" (e.g. a hospital's specialty) is left out.
  const clean = (text: string | undefined) => (text && !CLINICAL_CONTENT.test(text) ? text : undefined);
  const address = clean(site.address);
  const phone = clean(site.phone);
  const contact = [address ? `地址：${address}` : '', phone ? `电话：${phone}` : ''].filter(Boolean);
  return {
    subject: SUBJECT_PHRASES[role],
    siteName: clean(site.name) ?? GENERIC_SITE_NAME,
    siteContact: contact.length > 0 ? `${contact.join('，')}。` : '',
  };
}

export function consentReminderParams(
  role: RecipientRole,
  purpose: ConsentPurpose,
  expiresAt: Date,
): NoticeParams {
  return {
    subject: SUBJECT_PHRASES[role],
    purpose: PURPOSE_LABELS[purpose],
    expiresOn: noticeDate(expiresAt),
  };
}

export function withdrawalParams(
  role: RecipientRole,
  purpose: ConsentPurpose,
  withdrawnAt: Date,
): NoticeParams {
  return {
    subject: SUBJECT_PHRASES[role],
    purpose: PURPOSE_LABELS[purpose],
    withdrawnOn: noticeDate(withdrawnAt),
  };
}
