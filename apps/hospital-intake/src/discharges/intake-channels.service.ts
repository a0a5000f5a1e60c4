import { Injectable } from '@nestjs/common';
import type { QuestionnaireResponse } from 'fhir/r4';
import { ApiKeyService, principalId, SharedRateLimiter, UNAUTHENTICATED } from '@app/auth';
import { Clock, DomainException, FieldError, isDomainException, statusOf } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import { AuthenticatedHospital } from '../hospitals/hospital.types';
import { mapFhirBundle, FhirMappingError } from './channels/fhir.mapper';
import { buildAck, Hl7ParseError, parseHl7, triggerOf } from './channels/hl7v2.adapter';
import { Hl7MappingError, isOruR01, mapAdtA03, mapOruR01 } from './channels/hl7v2.mapper';
import { sourceOf, toAssessmentCommand, toDischargeCommand, validationFailed } from './discharge-command';
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

/** Re-points a domain error's field errors at the channel's own locations. */
function relocate(error: unknown, sources: ReadonlyMap<string, string>, fallback: string): unknown {
  if (!isDomainException(error) || !error.details.errors) return error;
  const errors = error.details.errors.map((e) => ({ ...e, pointer: sourceOf(e.pointer, sources, fallback) }));
  return new DomainException(error.code, error.kind, error.message, { ...error.details, errors });
}

export interface Hl7Answer {
  readonly status: number;
  readonly ack: string;
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
  ) {}

  /**
   * The validated command of a FHIR or HL7v2 mapping: the residence resolved, and the channel's own findings
   * about identity and residence reported in place of the generic field errors they explain.
   */
  private async channelCommand(
    mapping: {
      command: Record<string, unknown>;
      sources: ReadonlyMap<string, string>;
      identity: IdentityReading;
      residence: ResidenceHint;
      problems: ChannelProblem[];
    },
    fallback: string,
  ) {
    const problems: ChannelProblem[] = [...mapping.identity.problems, ...mapping.problems];
    const residence = await readResidence(mapping.residence, this.divisions);
    if (residence.problem) problems.push({ ...residence.problem, covers: '#/patient/residenceDivisionCode' });
    const covered = new Set(problems.map((p) => p.covers));
    const patient = { ...(mapping.command.patient as Record<string, unknown>) };
    if (residence.code) patient.residenceDivisionCode = residence.code;
    const plain = { ...mapping.command, patient };
    let command;
    try {
      command = await toDischargeCommand(plain);
    } catch (error) {
      if (problems.length === 0 || !isDomainException(error))
        throw relocate(error, mapping.sources, fallback);
      const others = (error.details.errors ?? []).filter((e) => !covered.has(e.pointer));
      const relocated = relocate(validationFailed(others), mapping.sources, fallback) as DomainException;
      throw validationFailed([
        ...problems.map(({ covers: _, ...p }) => p),
        ...(relocated.details.errors ?? []),
      ]);
    }
    if (problems.length > 0) throw validationFailed(problems.map(({ covers: _, ...p }) => p));
    return command;
  }

  /** Errors carry FHIRPath expressions as pointers (rendered as OperationOutcome.issue[].expression). */
  async submitFhir(
    hospital: AuthenticatedHospital,
    bundle: unknown,
    idempotencyKey?: string,
  ): Promise<IntakeAnswer> {
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
    const command = await this.channelCommand(mapping, 'Bundle');
    try {
      return await this.discharges.submit(hospital, 'fhir', command, idempotencyKey);
    } catch (error) {
      throw relocate(error, mapping.sources, 'Bundle');
    }
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

  /** Always answers an ACK: AA when accepted (or already accepted), AE naming the segment/field otherwise. */
  async submitHl7(hospital: AuthenticatedHospital, text: string): Promise<Hl7Answer> {
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
      errors?: FieldError[],
      errorCode = '',
    ) => ({
      status,
      ack: buildAck(
        {
          controlId,
          trigger,
          code,
          text: detail,
          sendingApp: 'REFERRAL-BUS',
          sendingFacility: 'HOSPITAL-INTAKE',
          receivingApp: header.sendingApp,
          receivingFacility: header.sendingFacility,
          version: header.version,
          errors: errors?.map((e) => ({
            location: e.pointer,
            code: (e as { code?: string }).code ?? errorCode,
            detail: e.detail,
          })),
        },
        this.clock.now(),
      ),
    });
    try {
      const doc = parseHl7(text);
      trigger = triggerOf(doc);
      if (isOruR01(doc)) {
        const oru = mapOruR01(doc);
        controlId = oru.controlId;
        header = oru.header;
        try {
          const assessment = await toAssessmentCommand(oru.assessment);
          const answer = await this.assessments.complete(
            hospital,
            { encounterId: oru.encounterId },
            assessment,
          );
          return ack(200, 'AA', `referral ${answer.body.referralId} assessed`);
        } catch (error) {
          throw relocate(error, oru.sources, 'OBX');
        }
      }
      const mapping = mapAdtA03(doc);
      controlId = mapping.controlId;
      header = mapping.header;
      const command = await this.channelCommand(mapping, 'PID');
      try {
        const answer = await this.discharges.submit(hospital, 'hl7v2', command);
        if (answer.body.status === 'awaiting-assessment') {
          return ack(
            answer.status,
            'AA',
            `referral ${answer.body.referralId} awaiting-assessment: send ORU^R01 with OBX RISK_LEVEL and CONDITION_STATUS for PV1-19 ${answer.body.encounterId}${answer.body.assessmentDueAt ? ` by ${answer.body.assessmentDueAt}` : ''}`,
          );
        }
        return ack(answer.status, 'AA', `referral ${answer.body.referralId}`);
      } catch (error) {
        throw relocate(error, mapping.sources, 'PID');
      }
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
