import { Injectable } from '@nestjs/common';
import type { Bundle, QuestionnaireResponse } from 'fhir/r4';
import { ApiKeyService, principalId, SharedRateLimiter, UNAUTHENTICATED } from '@app/auth';
import { Clock, DomainException, FieldError, isDomainException, statusOf } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import { AuthenticatedHospital } from '../hospitals/hospital.types';
import { mapFhirBundle, FhirMappingError } from './channels/fhir.mapper';
import { buildAck, Hl7ParseError, parseHl7, triggerOf } from './channels/hl7v2.adapter';
import { decodeHl7, Hl7Charset, UTF8 } from './channels/hl7-charset';
import { headerOf, Hl7MappingError, isOruR01, mapAdtA03, mapOruR01 } from './channels/hl7v2.mapper';
import {
  sourceOf,
  toAssessmentCommand,
  toDischargeCommand,
  VALIDATION_FAILED,
  validationFailed,
} from './discharge-command';
import { checkDischargeRules, RuleError } from './discharge-rules';
import { SubmitDischargeDto } from './dto/submit-discharge.dto';
import { HeldAnswer, HeldDischargeService } from './held/held-discharge.service';
import { asFieldErrors, Finding, isHoldableField, shouldHold } from './held/holdable';
import { CONSENT_ADDED, fieldPath, NOT_APPLIED } from './resend';
import { AssessmentService } from './assessment.service';
import {
  FhirAssessmentMapping,
  isAssessmentBundle,
  mapFhirAssessmentBundle,
} from './channels/fhir-assessment';
import { mapQuestionnaireResponse } from './channels/fhir-questionnaire';
import { ChannelProblem, IdentityReading } from './channels/identity';
import { readResidence, ResidenceHint } from './channels/residence';
import { DischargeService, IntakeAnswer } from './discharge.service';
import { ReferralReceiptDto } from './dto/referral-receipt.dto';

export const FHIR_BUNDLE_INVALID = 'FHIR_BUNDLE_INVALID';
export const HL7_MESSAGE_INVALID = 'HL7_MESSAGE_INVALID';
/** ERR-3 of the informational ERR on an ACK of a discharge kept for its assessment (what to send, by when). */
export const ASSESSMENT_AWAITED = 'ASSESSMENT_AWAITED';
/** ERR-3 of a warning on an ORU^R01's ACK: an OBX it carried is not read there (consents, capacity). */
export const OBX_NOT_READ = 'OBX_NOT_READ';

/** What a discharge sent again changed (consents added) and did not (not applied), in the channel's terms. */
export interface ResendNotes {
  readonly consentsAdded: readonly FieldError[];
  readonly notApplied: readonly FieldError[];
}

/** A channel's answer: with what a discharge sent again did and did not apply, located in the message. */
export type ChannelAnswer = IntakeAnswer & { resend?: ResendNotes };

/**
 * The receipt of a discharge sent again, its consents added and its fields not applied located in the message
 * (`pointer` in the channel's terms: a FHIRPath, an HL7 segment^repetition^field) and worded for its reader.
 */
export function resendNotes(
  receipt: ReferralReceiptDto,
  sent: unknown,
  sources: ReadonlyMap<string, string>,
  fallback: string,
): ResendNotes | undefined {
  if (!receipt.consentsAdded && !receipt.notApplied) return undefined;
  const sentConsents = Array.isArray(sent) ? (sent as { purpose?: unknown; grantedBy?: unknown }[]) : [];
  const next =
    receipt.status === 'awaiting-assessment'
      ? 'it goes to registration with the assessment'
      : 'registration applies the consent gate again';
  return {
    consentsAdded: (receipt.consentsAdded ?? []).map((c) => {
      // One consent per purpose in a message (DUPLICATE_CONSENT): its purpose finds it.
      const index = sentConsents.findIndex((s) => s?.purpose === c.purpose && s?.grantedBy === c.grantedBy);
      return {
        pointer: sourceOf(index >= 0 ? `#/consents/${index}` : '#/consents', sources, fallback),
        detail: `consent added to referral ${receipt.referralId}: ${c.purpose}, by the ${c.grantedBy}, granted ${c.grantedAt}; ${next}`,
      };
    }),
    notApplied: (receipt.notApplied ?? []).map((e) => ({
      pointer: sourceOf(e.pointer, sources, fallback),
      detail: `${fieldPath(e.pointer) || 'discharge'}: ${e.detail}`,
    })),
  };
}

/** Re-points a domain error's field errors at the channel's own locations. */
function relocate(error: unknown, sources: ReadonlyMap<string, string>, fallback: string): unknown {
  if (!isDomainException(error) || !error.details.errors) return error;
  const errors = error.details.errors.map((e) => ({ ...e, pointer: sourceOf(e.pointer, sources, fallback) }));
  return new DomainException(error.code, error.kind, error.message, { ...error.details, errors });
}

/** A field error re-pointed at the channel's location, with the command field it concerns. */
function locate(
  error: FieldError,
  sources: ReadonlyMap<string, string>,
  fallback: string,
  field: string,
): Finding {
  return { ...error, field, pointer: sourceOf(error.pointer, sources, fallback) };
}

/** Whether a message names its patient at all: a name, the ID number (even a wrong one), or a hospital identifier. */
function identifiesPatient(plain: Record<string, unknown>, identity: IdentityReading): boolean {
  const name = (plain.patient as { name?: unknown } | undefined)?.name;
  return (
    (typeof name === 'string' && name.trim() !== '') ||
    identity.idNumber !== undefined ||
    identity.hospitalIdentifiers.length > 0 ||
    identity.problems.some((p) => p.code !== 'ID_NUMBER_MISSING')
  );
}

interface ChannelMapping {
  command: Record<string, unknown>;
  sources: ReadonlyMap<string, string>;
  identity: IdentityReading;
  residence: ResidenceHint;
  problems: ChannelProblem[];
}

interface ChannelReading {
  /** The command as read (residence resolved), before validation. */
  plain: Record<string, unknown>;
  command?: SubmitDischargeDto;
  findings: Finding[];
}

export interface Hl7Answer {
  readonly status: number;
  readonly ack: string;
  /** The message's character set: the ACK goes back in it, naming it in MSH-18. */
  readonly charset: Hl7Charset;
}

export type NatsReply =
  | { ok: true; status: 200 | 201 | 202; referral: ReferralReceiptDto }
  | {
      ok: false;
      status: number;
      code: string;
      detail: string;
      errors?: FieldError[];
      /** With 429: when the hospital's budget has room again. */
      retryAfterSeconds?: number;
    };

/** FHIR R4, HL7v2 and NATS front doors: each reads its format into the one discharge command. */
@Injectable()
export class IntakeChannelsService {
  constructor(
    private readonly discharges: DischargeService,
    private readonly apiKeys: ApiKeyService,
    private readonly clock: Clock,
    private readonly divisions: DivisionDirectory,
    private readonly assessments: AssessmentService,
    private readonly limiter: SharedRateLimiter,
    private readonly held: HeldDischargeService,
  ) {}

  /**
   * A FHIR or HL7v2 mapping read into the discharge command: the residence resolved, and the channel's own
   * findings about identity and residence reported in place of the generic field errors they explain. `command`
   * when it is valid; otherwise every problem, located in the channel's terms, with the command field it concerns.
   */
  private async readChannel(mapping: ChannelMapping, fallback: string): Promise<ChannelReading> {
    const problems: ChannelProblem[] = [...mapping.identity.problems, ...mapping.problems];
    const residence = await readResidence(mapping.residence, this.divisions);
    if (residence.problem) problems.push({ ...residence.problem, covers: '#/patient/residenceDivisionCode' });
    const covered = new Set(problems.map((p) => p.covers));
    const patient = { ...(mapping.command.patient as Record<string, unknown>) };
    if (residence.code) patient.residenceDivisionCode = residence.code;
    const plain = { ...mapping.command, patient };
    const own: Finding[] = problems.map(({ covers, ...p }) => ({ ...p, field: covers ?? p.pointer }));
    try {
      const command = await toDischargeCommand(plain);
      return own.length === 0 ? { plain, command, findings: [] } : { plain, findings: own };
    } catch (error) {
      if (!isDomainException(error) || (own.length === 0 && error.code !== VALIDATION_FAILED)) {
        throw relocate(error, mapping.sources, fallback);
      }
      // Only field errors of the discharge's validation can be completed later (not a NUL character, say).
      const others = (error.details.errors ?? [])
        .filter((e) => !covered.has(e.pointer))
        .map((e) => locate(e, mapping.sources, fallback, error.code === VALIDATION_FAILED ? e.pointer : '#'));
      return { plain, findings: [...own, ...others] };
    }
  }

  /**
   * A channel's discharge: a valid one goes to the discharge service; one that names its patient but lacks only
   * registration data (ID number, residence, consent…) is kept as held; anything else is refused with every
   * problem located in the channel's terms.
   */
  private async submitChannel(
    hospital: AuthenticatedHospital,
    channel: 'fhir' | 'hl7v2',
    mapping: ChannelMapping,
    fallback: string,
    message: (encounterId: string) => { key: string; id?: string },
    idempotencyKey?: string,
  ): Promise<ChannelAnswer | HeldAnswer> {
    const read = await this.readChannel(mapping, fallback);
    const located = (answer: IntakeAnswer | HeldAnswer): ChannelAnswer | HeldAnswer =>
      'held' in answer
        ? answer
        : { ...answer, resend: resendNotes(answer.body, read.plain.consents, mapping.sources, fallback) };
    const identifies = identifiesPatient(read.plain, mapping.identity);
    let findings = read.findings;
    if (read.command) {
      try {
        return located(await this.discharges.submit(hospital, channel, read.command, idempotencyKey));
      } catch (error) {
        if (!isDomainException(error) || error.code !== VALIDATION_FAILED) {
          throw relocate(error, mapping.sources, fallback);
        }
        findings = (error.details.errors ?? []).map((e) => locate(e, mapping.sources, fallback, e.pointer));
        if (!shouldHold(findings, identifies)) throw relocate(error, mapping.sources, fallback);
      }
    } else if (shouldHold(findings, identifies)) {
      // The discharge rules on what was read: a problem beyond registration data still refuses the message.
      const beyond = this.rulesBeyondRegistration(read.plain, mapping.sources, fallback);
      if (beyond.length > 0) throw validationFailed(asFieldErrors([...findings, ...beyond]));
    } else {
      throw validationFailed(asFieldErrors(findings));
    }
    const encounterId = read.plain.encounterId as string;
    const { key, id } = message(encounterId);
    return located(
      await this.held.hold(hospital, {
        channel,
        messageKey: key,
        messageId: id,
        encounterId,
        discharge: read.plain,
        findings,
      }),
    );
  }

  /** The discharge rules broken by fields other than registration data, on a command not yet complete. */
  private rulesBeyondRegistration(
    plain: Record<string, unknown>,
    sources: ReadonlyMap<string, string>,
    fallback: string,
  ): Finding[] {
    let errors: RuleError[];
    try {
      errors = checkDischargeRules(plain as unknown as SubmitDischargeDto, {
        now: this.clock.now(),
        divisionExists: (code) => typeof code === 'string' && this.divisions.exists(code),
      });
    } catch {
      return []; // a shape the rules do not expect: checked in full once completed
    }
    return errors
      .filter((e) => !isHoldableField(e.pointer))
      .map((e) => locate(e, sources, fallback, e.pointer));
  }

  /** Errors carry FHIRPath expressions as pointers (rendered as OperationOutcome.issue[].expression). */
  async submitFhir(
    hospital: AuthenticatedHospital,
    bundle: unknown,
    idempotencyKey?: string,
  ): Promise<ChannelAnswer | HeldAnswer> {
    if (isAssessmentBundle(bundle)) return this.completeFhir(hospital, bundle);
    let mapping;
    try {
      mapping = mapFhirBundle(bundle);
    } catch (error) {
      if (error instanceof FhirMappingError) {
        throw new DomainException(FHIR_BUNDLE_INVALID, 'invalid', error.message, { errors: error.errors });
      }
      throw error;
    }
    const identifier = (bundle as Bundle).identifier;
    return this.submitChannel(
      hospital,
      'fhir',
      mapping,
      'Bundle',
      (encounterId) =>
        identifier?.value
          ? { key: `fhir:${identifier.system ?? ''}|${identifier.value}`, id: identifier.value }
          : { key: `fhir-encounter:${encounterId}` },
      idempotencyKey,
    );
  }

  /** Observations `basedOn` the referral's ServiceRequest (or naming its encounter) complete its assessment. */
  private async completeFhir(hospital: AuthenticatedHospital, bundle: unknown): Promise<IntakeAnswer> {
    const entries = (bundle as { entry: { resource?: { resourceType?: string } }[] }).entry;
    const qrAt = entries.findIndex((e) => e?.resource?.resourceType === 'QuestionnaireResponse');
    if (qrAt >= 0) {
      const qr = mapQuestionnaireResponse(
        entries[qrAt].resource as QuestionnaireResponse,
        `Bundle.entry[${qrAt}].resource`,
      );
      return this.completeAssessment(hospital, qr);
    }
    const mapping = mapFhirAssessmentBundle(bundle as Parameters<typeof mapFhirAssessmentBundle>[0]);
    const problems: FieldError[] = [];
    if ('encounterId' in mapping.which && !mapping.which.encounterId) {
      problems.push({
        pointer: 'Bundle.entry.resource.ofType(Observation).basedOn',
        detail:
          "name the referral: basedOn ServiceRequest/<referralId> (the discharge answer's location) or encounter.identifier",
      });
    }
    if (!mapping.assessment) {
      problems.push({
        pointer: 'Bundle.entry.resource.ofType(Observation)',
        detail: 'the assessment needs Observations risk-level (valueInteger 0–5) and condition-status',
      });
    }
    return this.completeAssessment(hospital, { ...mapping, problems });
  }

  private async completeAssessment(
    hospital: AuthenticatedHospital,
    mapping: FhirAssessmentMapping & { problems: FieldError[] },
  ): Promise<IntakeAnswer> {
    if (mapping.problems.length > 0) {
      throw new DomainException(FHIR_BUNDLE_INVALID, 'invalid', 'The Bundle is not a discharge assessment', {
        errors: mapping.problems,
      });
    }
    try {
      const assessment = await toAssessmentCommand(mapping.assessment);
      return await this.assessments.complete(hospital, mapping.which, assessment);
    } catch (error) {
      throw relocate(error, mapping.sources, 'Bundle');
    }
  }

  /**
   * An HL7 v2 message as its bytes (HTTP): read in the character set it names (MSH-18, else the Content-Type's
   * charset, else UTF-8 or GB 18030), then as `submitHl7`. Bytes that cannot be read so answer AE, naming MSH-18.
   */
  async submitHl7Bytes(
    hospital: AuthenticatedHospital,
    bytes: Buffer,
    transportCharset?: string,
  ): Promise<Hl7Answer> {
    let decoded;
    try {
      decoded = decodeHl7(bytes, transportCharset);
    } catch (error) {
      if (!(error instanceof Hl7ParseError)) throw error;
      // Its header is ASCII in practice: read as latin1, it still gives the ACK its control id and addressee.
      return this.submitHl7(hospital, bytes.toString('latin1'), UTF8, error);
    }
    return this.submitHl7(hospital, decoded.text, decoded.charset);
  }

  /**
   * Always answers an ACK (in `charset`): AA when accepted (or already accepted), AE naming the segment/field
   * otherwise; `unreadable`: the bytes could not be read in their character set (AE at MSH-18, nothing read).
   */
  async submitHl7(
    hospital: AuthenticatedHospital,
    text: string,
    charset: Hl7Charset = UTF8,
    unreadable?: Hl7ParseError,
  ): Promise<Hl7Answer> {
    let controlId = '';
    let trigger = '';
    let header = {
      sendingApp: '',
      sendingFacility: '',
      receivingApp: '',
      receivingFacility: '',
      version: '2.5',
    };
    const ack = (
      status: number,
      code: 'AA' | 'AE',
      detail: string,
      errors?: (FieldError & { code?: string; severity?: 'E' | 'W' | 'I' })[],
      errorCode = '',
      severity: 'E' | 'W' | 'I' = 'E',
    ) => ({
      status,
      charset,
      ack: buildAck(
        {
          controlId,
          trigger,
          charset: charset.msh18,
          code,
          text: detail,
          sendingApp: 'REFERRAL-BUS',
          sendingFacility: 'HOSPITAL-INTAKE',
          receivingApp: header.sendingApp,
          receivingFacility: header.sendingFacility,
          version: header.version,
          errors: errors?.map((e) => ({
            location: e.pointer,
            code: e.code ?? errorCode,
            detail: e.detail,
            severity: e.severity ?? severity,
          })),
        },
        this.clock.now(),
      ),
    });
    if (unreadable) {
      try {
        const doc = parseHl7(text);
        controlId = doc.msh(10);
        trigger = triggerOf(doc);
        header = headerOf(doc);
      } catch {
        // Not even its header reads: the ACK goes without them.
      }
      return ack(
        400,
        'AE',
        unreadable.message,
        [{ pointer: 'MSH^1^18', detail: unreadable.message }],
        HL7_MESSAGE_INVALID,
      );
    }
    try {
      const doc = parseHl7(text);
      // The ACK answers the message's own header whatever is wrong with the rest (a refused version included).
      trigger = triggerOf(doc);
      controlId = doc.msh(10);
      header = headerOf(doc);
      if (isOruR01(doc)) {
        const oru = mapOruR01(doc);
        try {
          const assessment = await toAssessmentCommand(oru.assessment);
          const answer = await this.assessments.complete(
            hospital,
            { encounterId: oru.encounterId },
            assessment,
          );
          // Accepted; what it carried beyond the assessment is named, with severity W, not dropped silently.
          return oru.notRead.length > 0
            ? ack(200, 'AA', `referral ${answer.body.referralId} assessed`, oru.notRead, OBX_NOT_READ, 'W')
            : ack(200, 'AA', `referral ${answer.body.referralId} assessed`);
        } catch (error) {
          throw relocate(error, oru.sources, 'OBX');
        }
      }
      const mapping = mapAdtA03(doc);
      const answer = await this.submitChannel(hospital, 'hl7v2', mapping, 'PID', () => ({
        key: `hl7v2:${mapping.controlId}`,
        id: mapping.controlId,
      }));
      if ('held' in answer) {
        const { id, missing } = answer.held;
        return ack(
          answer.status,
          'AA',
          `held ${id}: kept, ${missing.length} field(s) missing`,
          missing.map((m) => ({
            pointer: m.at,
            code: m.code ?? VALIDATION_FAILED,
            detail: `held ${id}: ${m.field}: ${m.detail ?? 'missing'}`,
          })),
          VALIDATION_FAILED,
          'W',
        );
      }
      // A discharge sent again: each consent added (severity I) and each field not applied (severity W).
      const resend = [
        ...(answer.resend?.consentsAdded ?? []).map((e) => ({
          ...e,
          code: CONSENT_ADDED,
          severity: 'I' as const,
        })),
        ...(answer.resend?.notApplied ?? []).map((e) => ({
          ...e,
          code: NOT_APPLIED,
          severity: 'W' as const,
        })),
      ];
      const added = answer.resend?.consentsAdded.length ?? 0;
      const ignored = answer.resend?.notApplied.length ?? 0;
      const summary = answer.resend
        ? `: ${added} consent${added === 1 ? '' : 's'} added, ${ignored} not applied`
        : '';
      if (answer.body.status === 'awaiting-assessment') {
        // MSA-3 holds 80 characters: the instruction and its deadline go whole in an ERR of severity I.
        const instruction = `send ORU^R01 with OBX RISK_LEVEL and CONDITION_STATUS for PV1-19 ${answer.body.encounterId}${answer.body.assessmentDueAt ? ` by ${answer.body.assessmentDueAt}` : ''}`;
        return ack(
          answer.status,
          'AA',
          answer.resend
            ? `referral ${answer.body.referralId}${summary}`
            : `referral ${answer.body.referralId} awaiting-assessment: send ORU^R01`,
          [{ pointer: 'PV1^1^19', detail: instruction }, ...resend],
          ASSESSMENT_AWAITED,
          'I',
        );
      }
      return ack(answer.status, 'AA', `referral ${answer.body.referralId}${summary}`, resend);
    } catch (error) {
      if (error instanceof Hl7ParseError) return ack(400, 'AE', error.message, [], HL7_MESSAGE_INVALID);
      if (error instanceof Hl7MappingError) {
        controlId = error.controlId;
        return ack(400, 'AE', error.message, error.errors, HL7_MESSAGE_INVALID);
      }
      if (isDomainException(error) && !error.retryable) {
        return ack(
          statusOf(error.kind),
          'AE',
          `${error.code}: ${error.message}`,
          error.details.errors,
          error.code,
        );
      }
      throw error;
    }
  }

  /** `intake.discharge.submit`: the hospital is the one whose API key is in the X-API-Key header. */
  async submitNats(apiKey: string | undefined, body: unknown): Promise<NatsReply> {
    try {
      const caller = await this.apiKeys.authenticate(apiKey);
      if (caller?.organisationKind !== 'hospital') {
        throw new DomainException(
          UNAUTHENTICATED,
          'unauthenticated',
          'A valid hospital X-API-Key header is required',
        );
      }
      // The hospital's one budget, shared with its HTTP and MLLP traffic and with every replica.
      await this.limiter.enforce(principalId(caller), 'principal');
      const hospital: AuthenticatedHospital = { id: caller.organisationId, name: caller.organisationName };
      const command = await toDischargeCommand(body);
      const answer = await this.discharges.submit(hospital, 'nats', command);
      return { ok: true, status: answer.status, referral: answer.body };
    } catch (error) {
      if (isDomainException(error)) {
        return {
          ok: false,
          status: statusOf(error.kind),
          code: error.code,
          detail: error.message,
          ...(error.details.errors ? { errors: error.details.errors } : {}),
          ...(typeof error.details.retryAfterSeconds === 'number'
            ? { retryAfterSeconds: error.details.retryAfterSeconds }
            : {}),
        };
      }
      return { ok: false, status: 500, code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred' };
    }
  }
}
