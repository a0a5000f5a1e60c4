import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '@app/core';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config';
import { SiteRepository } from '../directory/site.repository';
import { sameDigest, sha256Hex } from './keys';

export const API_KEY_HEADER = 'x-api-key';

/** The site a request was authenticated as. */
export interface SiteCaller {
  readonly siteId: string;
}

export type SiteRequest = Request & { caller?: SiteCaller };

function unauthenticated(): DomainException {
  return new DomainException('UNAUTHENTICATED', 'unauthenticated', 'A valid X-API-Key is required');
}

function keyOf(request: Request): string | undefined {
  const value = request.headers[API_KEY_HEADER];
  return typeof value === 'string' && value.length >= 8 && value.length <= 200 ? value : undefined;
}

/**
 * Site API: the key (stored as sha256) identifies one site. A caller asking about another site's path gets
 * 404, as if it did not exist (never 403).
 */
@Injectable()
export class SiteKeyGuard implements CanActivate {
  constructor(private readonly sites: SiteRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SiteRequest>();
    const key = keyOf(request);
    if (!key) throw unauthenticated();
    const digest = sha256Hex(key);
    const site = await this.sites.findByKeyHash(digest);
    if (!site || !sameDigest(site.keyHash, digest)) throw unauthenticated();
    const pathSite = request.params?.siteId;
    if (typeof pathSite === 'string' && pathSite !== site.id) {
      throw new DomainException('SITE_NOT_FOUND', 'not-found', 'No such site');
    }
    request.caller = { siteId: site.id };
    return true;
  }
}

/** Directory administration: the admin key from configuration. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(@Inject(REHAB_SITE_CONFIG) private readonly config: RehabSiteConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const key = keyOf(context.switchToHttp().getRequest<Request>());
    if (!key || !sameDigest(sha256Hex(key), this.config.adminKeyHash)) throw unauthenticated();
    return true;
  }
}
