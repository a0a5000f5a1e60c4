import { ConsentGrantDto } from '@app/contracts';
import { NewConsent } from './consent.repository';

/** A consent as a channel states it (the hospital's grant, or a request's), recorded by an organisation. */
export function consentGrantOf(
  grant: Pick<ConsentGrantDto, 'purpose' | 'grantedBy' | 'method' | 'grantedAt' | 'expiresAt'>,
  recordedBy: string,
): Omit<NewConsent, 'patientId'> {
  return {
    purpose: grant.purpose,
    grantedBy: grant.grantedBy,
    method: grant.method,
    recordedBy,
    grantedAt: new Date(grant.grantedAt),
    expiresAt: grant.expiresAt ? new Date(grant.expiresAt) : null,
  };
}
