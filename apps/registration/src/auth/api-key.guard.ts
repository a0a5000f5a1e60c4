import { timingSafeEqual } from 'node:crypto';
import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainException } from '@app/core';
import { ApiClientRepository } from './api-client.repository';
import { API_KEY_HEADER, Caller, hashApiKey } from './api-key';

interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  caller?: Caller;
}

/** Binds the caller to its organisation from `X-API-Key` (SHA-256 stored; compared in constant time). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly clients: ApiClientRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const raw = request.headers[API_KEY_HEADER];
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!key || key.length > 200) throw unauthenticated();
    const presented = hashApiKey(key);
    const client = await this.clients.findActiveByHash(presented);
    if (!client || !timingSafeEqual(Buffer.from(client.keyHash, 'hex'), Buffer.from(presented, 'hex'))) {
      throw unauthenticated();
    }
    request.caller = {
      organisationId: client.organisationId,
      organisationName: client.organisationName,
      kind: client.kind,
      divisionCode: client.divisionCode,
    };
    return true;
  }
}

function unauthenticated(): DomainException {
  return new DomainException('UNAUTHENTICATED', 'unauthenticated', 'a valid X-API-Key header is required');
}

/** The organisation bound by ApiKeyGuard. */
export const CurrentCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Caller =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().caller!,
);
