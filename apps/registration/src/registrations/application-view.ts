import { ApplicationViewDto } from './dto/registration-view.dto';
import { ApplicationRow, ApplicationStatus, RoutingStop } from './application-row';

const routingStopped = (stop: RoutingStop | null | undefined) =>
  stop ? { routingStopped: { reason: stop.reason, siteId: stop.siteId, at: stop.at.toISOString() } } : {};

/** Who is looking: the registration office (county centre) and ops see links; a filing channel never does. */
export type Audience = 'office' | 'channel';

/** The registration office's view of an application: where it stands and how it was linked (no PII). */
export function toOfficeApplicationView(a: ApplicationRow, patientRef: string): ApplicationViewDto {
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
    ...deadlines(a),
    ...(a.status === 'awaiting-consent' && a.missingPurpose ? { awaitingConsentFor: a.missingPurpose } : {}),
    ...(a.endReason ? { endReason: a.endReason } : {}),
    ...(a.fileSummary ? { file: a.fileSummary } : {}),
    ...routingStopped(a.routingStopped),
  };
}

/**
 * An application's own deadlines (verify & register; refer to a site once registered), each marked provisional
 * when it was counted through a year with no holiday calendar.
 */
function deadlines(
  a: ApplicationRow,
): Pick<
  ApplicationViewDto,
  | 'registerDueAt'
  | 'registerDueProvisional'
  | 'slaBreached'
  | 'referToSiteDueAt'
  | 'referToSiteDueProvisional'
  | 'referToSiteBreached'
  | 'referredToSiteAt'
> {
  return {
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
  };
}

/** End reasons a channel may read (the office's own words); the others would name other channels or links. */
const REASONS_SHOWN_TO_CHANNELS: readonly ApplicationStatus[] = ['rejected', 'ineligible', 'expired'];

/**
 * What the channel that filed an application sees: the same fields whatever registration knew about the person
 * when it was filed (no link, no other application's id, no reason naming another channel). An application
 * the office verified and merged into another (at verification, superseded by a hospital referral, or by an
 * identity review) shows where the person's case stands: the status of the application it was merged into
 * (`mergedInto`, already resolved). One merged before any verification shows `received`.
 */
export function toChannelApplicationView(
  a: ApplicationRow,
  patientRef: string,
  mergedInto?: ApplicationRow,
): ApplicationViewDto {
  // Only an application the office verified follows its merge: until then its filer is unchecked.
  const shown = a.status !== 'merged' ? a : a.verifiedAt !== null ? mergedInto : undefined;
  const status = !shown || shown.status === 'merged' ? 'received' : shown.status;
  return {
    applicationId: a.id,
    registrationId: a.registrationId,
    patientRef,
    channel: a.channel,
    status,
    receivedAt: a.receivedAt.toISOString(),
    ...deadlines(a),
    ...(status === 'awaiting-consent' && shown?.missingPurpose
      ? { awaitingConsentFor: shown.missingPurpose }
      : {}),
    ...(shown === a && a.endReason && REASONS_SHOWN_TO_CHANNELS.includes(a.status)
      ? { endReason: a.endReason }
      : {}),
    // The case's file summary (the application it was merged into, once verified).
    ...(shown?.fileSummary ? { file: shown.fileSummary } : {}),
    // Why no site holds the case (no PII): the office and the channel see it alike.
    ...routingStopped(shown?.routingStopped),
  };
}

/**
 * The registration's status as a channel sees it: only what its own applications show. The real status
 * (registered, green channel, withdrawn by someone else) is the office's to see until the channel's own
 * application got there.
 */
export function channelRegistrationStatus(
  registrationStatus: string,
  own: readonly ApplicationViewDto[],
): string {
  if (own.some((a) => a.status === 'registered')) return registrationStatus;
  if (own.some((a) => a.status === 'consent-withdrawn')) return 'consent-withdrawn';
  return 'pending';
}
