import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyAdminController, API_KEY_KINDS, OwnApiKeyController } from './api-keys.controller';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { AUTH_CONFIG, AuthConfig, loadAuthConfig } from './auth.config';
import { AuthGuard } from './auth.guard';
import { OrganisationKind } from './principal';
import { OpsTokenRevocations } from './token-revocation';
import { RateLimitRepository } from './rate-limit/rate-limit.repository';
import { SharedRateLimiter } from './rate-limit/shared-rate-limiter';

export interface AuthModuleOptions {
  /** Organisation kinds that hold API keys for this service (ops may issue only these). */
  readonly organisationKinds: readonly OrganisationKind[];
  /** Overrides of the environment (tests). */
  readonly config?: Partial<AuthConfig>;
}

/**
 * Authentication for a service, registered once by ServiceModule: the global AuthGuard (API keys, ops JWTs,
 * shared per-principal rate limits), the service's `api_key` table and the key rotation / administration endpoints.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    const config: AuthConfig = { ...loadAuthConfig(), ...options.config };
    return {
      module: AuthModule,
      controllers: [OwnApiKeyController, ApiKeyAdminController],
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        { provide: API_KEY_KINDS, useValue: options.organisationKinds },
        ApiKeyRepository,
        ApiKeyService,
        OpsTokenRevocations,
        RateLimitRepository,
        SharedRateLimiter,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AUTH_CONFIG, ApiKeyService, SharedRateLimiter],
    };
  }
}
