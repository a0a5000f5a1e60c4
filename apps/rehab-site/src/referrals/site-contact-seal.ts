import { Injectable } from '@nestjs/common';
import {
  EncryptedFieldDto,
  referralSealContext,
  SiteContactDto,
  UNBOUND_SITE_CONTACT_CONTEXT,
} from '@app/contracts';
import { FieldCipher } from '@app/crypto';

/**
 * A site contact as rehab-site keeps it: the sealed blob as received, marked `binding: 'referral'` once its
 * associated data names the referral. Rows stored before that have no marker and open with the old unbound
 * context; the marker is written by rehab-site itself after the check on receipt, never taken from the wire.
 */
export type StoredContact = EncryptedFieldDto & { readonly binding?: 'referral' };

@Injectable()
export class SiteContactSeal {
  constructor(private readonly cipher: FieldCipher) {}

  /**
   * On receipt of referral.registered: the contact must open for this referral, or the event is refused (a
   * SecurityException: dead letter + security alert, nothing routed). Returns what to store.
   */
  verifyReceived(referralId: string, sealed: EncryptedFieldDto): StoredContact {
    this.cipher.openReceivedJson<SiteContactDto>(
      sealed,
      referralSealContext('siteContact', referralId),
      'SITE_CONTACT_SEAL_INVALID',
      'the sealed site contact',
    );
    return { ...sealed, binding: 'referral' };
  }

  open(referralId: string, stored: StoredContact): SiteContactDto {
    const { binding, ...sealed } = stored;
    const context =
      binding === 'referral' ? referralSealContext('siteContact', referralId) : UNBOUND_SITE_CONTACT_CONTEXT;
    return this.cipher.openJson<SiteContactDto>(sealed, context);
  }
}
