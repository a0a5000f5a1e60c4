import { ApplicationViewDto } from './dto/registration-view.dto';
import { ApplicationRow } from './application-row';

/** What a channel sees of an application (no PII: the patient only by reference). */
export function toApplicationView(a: ApplicationRow, patientRef: string): ApplicationViewDto {
  return {
    applicationId: a.id,
    registrationId: a.registrationId,
    patientRef,
    channel: a.channel,
    status: a.status,
    linkedToExisting: a.linkedBy !== null,
    ...(a.linkedBy ? { linkedBy: a.linkedBy } : {}),
    ...(a.mergedInto ? { mergedInto: a.mergedInto } : {}),
    receivedAt: a.receivedAt.toISOString(),
    registerDueAt: a.registerDueAt.toISOString(),
    registerDueProvisional: a.registerDueProvisional,
    slaBreached: a.slaBreachedAt !== null,
    ...(a.referDueAt
      ? {
          referToSiteDueAt: a.referDueAt.toISOString(),
          referToSiteDueProvisional: a.referDueProvisional,
          referToSiteBreached: a.referBreachedAt !== null,
          ...(a.referredAt ? { referredToSiteAt: a.referredAt.toISOString() } : {}),
        }
      : {}),
    ...(a.status === 'awaiting-consent' && a.missingPurpose ? { awaitingConsentFor: a.missingPurpose } : {}),
    ...(a.endReason ? { endReason: a.endReason } : {}),
  };
}
