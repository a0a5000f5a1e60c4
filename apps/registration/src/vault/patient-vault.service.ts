import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { GuardianDto, referralSealContext, SiteContactDto, EncryptedFieldDto } from '@app/contracts';
import { Clock, DomainException } from '@app/core';
import { FieldCipher } from '@app/crypto';
import {
  BLIND_INDEX_CONTEXTS,
  FiledIdentity,
  identityKey,
  MatchedBy,
  normaliseIdNumber,
  OpenedPatient,
  PII_FIELDS,
  PiiField,
  sealContext,
  SealedFields,
} from './patient-identity';
import { IdentityReviewRepository } from './identity-review.repository';
import { PatientRepository, PatientRow } from './patient.repository';

export type NoticeRecipientRole = 'patient' | 'guardian';

export interface SealedNoticeRecipient {
  readonly role: NoticeRecipientRole;
  readonly noticeId: string;
  /** e.g. 138****0000: all that lists and logs ever show. */
  readonly masked: string;
  readonly sealed: EncryptedFieldDto;
}

const noticeRecipientContext = (noticeId: string) => `registration:notice:${noticeId}:recipient`;

/** 13812340000 → 138****0000; a shorter number keeps its last 2 digits only. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^0-9]/g, '');
  if (digits.length >= 11) return `${digits.slice(-11, -8)}****${digits.slice(-4)}`;
  return `${'*'.repeat(Math.max(0, digits.length - 2))}${digits.slice(-2)}`;
}

/**
 * The patient vault: seals each PII field with FieldCipher, finds people by blind index, opens them only for
 * a stated use. After a withdrawal the seals are replaced by statutory-record seals that the ordinary uses
 * cannot open.
 */
@Injectable()
export class PatientVaultService {
  constructor(
    private readonly cipher: FieldCipher,
    private readonly patients: PatientRepository,
    private readonly reviews: IdentityReviewRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * The same ID number is the same person (whatever the name says): the existing patient, its contact updated.
   * Anything else is a new patient; a name + birth date + county match where one side has no ID number opens a
   * review for the registration office (never a silent merge). The patient comes back locked for the rest of
   * the transaction (found FOR UPDATE, or inserted by it); `created` says it was inserted here, so nothing can
   * refer to it yet.
   */
  async upsert(
    identity: FiledIdentity,
    newId: string,
  ): Promise<{ patient: PatientRow; created: boolean; matchedBy?: MatchedBy; reviewCandidates: string[] }> {
    const idNumberIndex = identity.idNumber
      ? this.cipher.blindIndex(normaliseIdNumber(identity.idNumber), BLIND_INDEX_CONTEXTS.idNumber)
      : null;
    const identityIndex = this.cipher.blindIndex(identityKey(identity), BLIND_INDEX_CONTEXTS.identity);
    // Insert first: most people discharged are new to the vault, so that is one round trip for them (issue #22);
    // the insert does nothing when the ID number is on file, and the record found is then brought up to date.
    // Without an ID number it never conflicts. A record removed between the two is inserted on the second pass.
    const sealed = this.sealAll(identity, newId, null);
    for (let attempt = 0; attempt < 2; attempt++) {
      const inserted = await this.patients.insert({
        id: newId,
        idNumberIndex,
        identityIndex,
        sealed,
        sex: identity.sex,
        residenceDivisionCode: identity.residenceDivisionCode,
        lacksCapacity: identity.lacksCapacity,
      });
      if (inserted) {
        const { patient, reviewCandidates } = inserted;
        await this.reviews.openReviews(
          reviewCandidates.map((candidatePatientId) => ({
            id: randomUUID(),
            patientId: patient.id,
            candidatePatientId,
            countyCode: identity.residenceDivisionCode.slice(0, 6),
          })),
          this.clock.now(),
        );
        return { patient, created: true, reviewCandidates };
      }
      const found = idNumberIndex ? await this.patients.findForUpdateByIdNumber(idNumberIndex) : undefined;
      if (found) {
        const patient =
          found.sealedAt === null
            ? await this.patients.updateContact(found.id, {
                sealed: this.mergeContact(found, identity),
                residenceDivisionCode: identity.residenceDivisionCode,
                lacksCapacity: identity.lacksCapacity,
              })
            : found;
        return { patient, created: false, matchedBy: 'id-number', reviewCandidates: [] };
      }
    }
    throw new DomainException(
      'PATIENT_UPSERT_RACE',
      'unavailable',
      'the patient record is being written, retry',
    );
  }

  /**
   * A confirmed merge of two records of one person: the duplicate points at the survivor, and the survivor
   * takes the duplicate's ID number when it had none (re-sealed for the survivor's row).
   */
  async mergeRecords(duplicate: PatientRow, survivor: PatientRow): Promise<void> {
    const index = await this.patients.idNumberIndexOf(duplicate.id);
    const seal = duplicate.sealed.idNumber;
    const moves = index !== null && seal !== null && !survivor.hasIdNumber && duplicate.sealedAt === null;
    await this.patients.markMergedInto(
      duplicate.id,
      survivor.id,
      moves
        ? {
            index,
            sealed: this.cipher.seal(
              this.cipher.open(seal, sealContext('idNumber', duplicate.id)),
              sealContext('idNumber', survivor.id, survivor.sealedAt !== null),
            ),
          }
        : undefined,
    );
  }

  async find(patientId: string, forUpdate = false): Promise<PatientRow | undefined> {
    return this.patients.findById(patientId, forUpdate);
  }

  async recordGuardian(patient: PatientRow, guardian: GuardianDto): Promise<void> {
    this.assertOpen(patient);
    await this.patients.setGuardian(
      patient.id,
      this.cipher.sealJson(guardian, sealContext('guardian', patient.id)),
    );
  }

  /**
   * The minimum contact a site needs, sealed for rehab-site and bound to the referral it is sent with.
   * `createdFrom`: the identity this transaction created the patient from (what its seals hold), so nothing
   * has to be opened.
   */
  sealSiteContact(patient: PatientRow, referralId: string, createdFrom?: FiledIdentity): EncryptedFieldDto {
    this.assertOpen(patient);
    const source = createdFrom ?? this.openContact(patient);
    const contact: SiteContactDto = {
      name: source.name,
      ...(source.phone ? { phone: source.phone } : {}),
      ...(source.address ? { address: source.address } : {}),
      ...(source.guardian ? { guardian: source.guardian } : {}),
    };
    return this.cipher.sealJson(contact, referralSealContext('siteContact', referralId));
  }

  /**
   * Who a notice about this patient goes to, each number sealed for that one notice (`noticeIdOf(role)`), so the
   * notice can be sent later (even after withdrawal re-seals the record) without opening the record again: the
   * patient's own phone unless they lack capacity, and the guardian's phone when one is on record.
   */
  sealNoticeRecipients(
    patient: PatientRow,
    noticeIdOf: (role: NoticeRecipientRole) => string,
  ): SealedNoticeRecipient[] {
    this.assertOpen(patient);
    const { phone, guardian } = this.openContact(patient);
    const recipients: { role: NoticeRecipientRole; phone: string }[] = [];
    if (phone && !patient.lacksCapacity) recipients.push({ role: 'patient', phone });
    if (guardian?.phone) recipients.push({ role: 'guardian', phone: guardian.phone });
    return recipients.map(({ role, phone: number }) => {
      const noticeId = noticeIdOf(role);
      return {
        role,
        noticeId,
        masked: maskPhone(number),
        sealed: this.cipher.seal(number, noticeRecipientContext(noticeId)),
      };
    });
  }

  /** The number a notice goes to (sealed for it by sealNoticeRecipients), opened for the send only. */
  openNoticeRecipient(noticeId: string, sealed: EncryptedFieldDto): string {
    return this.cipher.open(sealed, noticeRecipientContext(noticeId));
  }

  /** Withdrawal: every field re-sealed for the statutory record only. */
  async sealForStatutoryRecord(patient: PatientRow, at: Date): Promise<void> {
    if (patient.sealedAt !== null) return;
    const sealed = {} as SealedFields;
    for (const field of PII_FIELDS) {
      const seal = patient.sealed[field];
      sealed[field] = seal
        ? this.cipher.seal(
            this.cipher.open(seal, sealContext(field, patient.id)),
            sealContext(field, patient.id, true),
          )
        : null;
    }
    await this.patients.sealForStatutoryRecord(patient.id, sealed, at);
  }

  /** Opens a sealed patient for the statutory record (the only use left after withdrawal). */
  openStatutoryRecord(patient: PatientRow): OpenedPatient {
    return this.openWith(patient, patient.sealedAt !== null);
  }

  private assertOpen(patient: PatientRow): void {
    if (patient.sealedAt !== null) {
      throw new DomainException(
        'PATIENT_SEALED',
        'conflict',
        'consent was withdrawn: the patient record is sealed for the statutory record only',
      );
    }
  }

  /** Only the fields a site's contact needs (the ID number and birth date stay sealed). */
  private openContact(patient: PatientRow): Pick<OpenedPatient, 'name' | 'phone' | 'address' | 'guardian'> {
    const read = (field: PiiField) => {
      const seal = patient.sealed[field];
      return seal ? this.cipher.open(seal, sealContext(field, patient.id)) : undefined;
    };
    const guardian = read('guardian');
    return {
      name: read('name')!,
      phone: read('phone'),
      address: read('address'),
      guardian: guardian ? (JSON.parse(guardian) as GuardianDto) : undefined,
    };
  }

  private openWith(patient: PatientRow, statutory: boolean): OpenedPatient {
    const read = (field: PiiField) => {
      const seal = patient.sealed[field];
      return seal ? this.cipher.open(seal, sealContext(field, patient.id, statutory)) : undefined;
    };
    const guardian = read('guardian');
    return {
      name: read('name')!,
      idNumber: read('idNumber'),
      birthDate: read('birthDate')!,
      phone: read('phone'),
      address: read('address'),
      guardian: guardian ? (JSON.parse(guardian) as GuardianDto) : undefined,
    };
  }

  /**
   * A known person filed again: the identity (name, ID number, birth date) stays as first recorded (its blind
   * indexes were computed from it); contact fields take the newest value given, else keep the old one.
   */
  private mergeContact(existing: PatientRow, identity: FiledIdentity): SealedFields {
    const fresh = this.sealAll(identity, existing.id, existing.sealed.guardian);
    return {
      name: existing.sealed.name,
      idNumber: existing.sealed.idNumber,
      birthDate: existing.sealed.birthDate,
      phone: fresh.phone ?? existing.sealed.phone,
      address: fresh.address ?? existing.sealed.address,
      guardian: fresh.guardian,
    };
  }

  private sealAll(
    identity: FiledIdentity,
    patientId: string,
    existingGuardian: EncryptedFieldDto | null,
  ): SealedFields {
    const seal = (field: PiiField, value: string | undefined) =>
      value === undefined ? null : this.cipher.seal(value, sealContext(field, patientId));
    return {
      name: seal('name', identity.name),
      idNumber: seal('idNumber', identity.idNumber ? normaliseIdNumber(identity.idNumber) : undefined),
      birthDate: seal('birthDate', identity.birthDate),
      phone: seal('phone', identity.phone),
      address: seal('address', identity.address),
      guardian: identity.guardian ? seal('guardian', JSON.stringify(identity.guardian)) : existingGuardian,
    };
  }
}
