import { applyDecorators } from '@nestjs/common';
import { ApiNotFoundResponse, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { OrgKinds, REGISTRATION_CHANNEL_KINDS } from '@app/auth';

/** The `/v1/registrations` routes (views here, consents in the consent feature): channel keys, one OpenAPI tag. */
export function RegistrationsApi(): ClassDecorator {
  return applyDecorators(
    ApiTags('registrations'),
    ApiSecurity('api-key'),
    ApiUnauthorizedResponse({ description: 'Missing or unknown API key (problem+json UNAUTHENTICATED)' }),
    ApiNotFoundResponse({ description: 'Unknown, or not visible to the caller' }),
    OrgKinds(...REGISTRATION_CHANNEL_KINDS),
  );
}
