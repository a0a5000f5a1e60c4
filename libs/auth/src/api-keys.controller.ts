import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { DomainException } from '@app/core';
import { ApiKeyRecord } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { CurrentOrganisation, OrgKinds, Roles } from './decorators';
import { ORGANISATION_KINDS, OrganisationKind, OrganisationPrincipal } from './principal';

export const API_KEY_KINDS = Symbol('API_KEY_KINDS');
export const API_KEY_PAGE_MAX = 200;

export class ApiKeyViewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Readable prefix (`legacy` for keys issued before rbk_ keys)' }) prefix: string;
  @ApiProperty() organisationId: string;
  @ApiProperty({ enum: ORGANISATION_KINDS }) organisationKind: string;
  @ApiProperty() organisationName: string;
  @ApiProperty({ type: String, nullable: true }) divisionCode: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: String, nullable: true }) revokedAt: string | null;
}

export class IssuedApiKeyDto {
  @ApiProperty({ description: 'The key (X-API-Key): shown once, only its sha256 is stored' }) apiKey: string;
  @ApiProperty({ type: ApiKeyViewDto }) key: ApiKeyViewDto;
  @ApiPropertyOptional({ description: 'When the key used to rotate stops working (grace period)' })
  previousKeyExpiresAt?: string;
}

export class IssueApiKeyDto {
  @ApiProperty({ pattern: '^[a-z0-9][a-z0-9-]{1,63}$' })
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/)
  organisationId: string;

  @ApiProperty({ enum: ORGANISATION_KINDS })
  @IsIn(ORGANISATION_KINDS)
  organisationKind: OrganisationKind;

  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MaxLength(200)
  organisationName: string;

  @ApiProperty({ description: "GB/T 2260 division code (6, 9 or 12 digits): the organisation's area" })
  @Matches(/^\d{6}(\d{3}(\d{3})?)?$/)
  divisionCode: string;
}

export class ApiKeyListQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/)
  organisationId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Page after this key id' })
  @IsOptional()
  @IsUUID()
  after?: string;

  @ApiPropertyOptional({ default: 50, maximum: API_KEY_PAGE_MAX, description: 'Above the maximum → 400' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(API_KEY_PAGE_MAX)
  limit?: number;
}

export function toApiKeyView(r: ApiKeyRecord): ApiKeyViewDto {
  return {
    id: r.id,
    prefix: r.prefix,
    organisationId: r.organisationId,
    organisationKind: r.organisationKind,
    organisationName: r.organisationName,
    divisionCode: r.divisionCode,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}

/** An organisation rotates its own key. */
@ApiTags('api keys')
@ApiSecurity('api-key')
@Controller('v1/auth/api-key')
export class OwnApiKeyController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post('rotation')
  @OrgKinds(...ORGANISATION_KINDS)
  @ApiCreatedResponse({
    type: IssuedApiKeyDto,
    description: 'A new key (shown once); the key used for this call keeps working for the grace period',
  })
  @ApiConflictResponse({
    description:
      'API_KEY_ALREADY_ROTATED: the key used is in its grace period (already rotated); rotate with its successor',
  })
  async rotate(@CurrentOrganisation() caller: OrganisationPrincipal): Promise<IssuedApiKeyDto> {
    const rotated = await this.keys.rotate(caller);
    return {
      apiKey: rotated.apiKey,
      key: toApiKeyView(rotated.record),
      previousKeyExpiresAt: rotated.previousKeyExpiresAt.toISOString(),
    };
  }
}

/** Ops admins issue, list and revoke the keys of this service's organisations. */
@ApiTags('api keys (admin)')
@ApiBearerAuth()
@Controller('v1/admin/api-keys')
export class ApiKeyAdminController {
  constructor(
    private readonly keys: ApiKeyService,
    @Inject(API_KEY_KINDS) private readonly kinds: readonly OrganisationKind[],
  ) {}

  @Post()
  @Roles('ops-admin')
  @ApiCreatedResponse({ type: IssuedApiKeyDto })
  async issue(@Body() body: IssueApiKeyDto): Promise<IssuedApiKeyDto> {
    if (!this.kinds.includes(body.organisationKind)) {
      throw new DomainException(
        'ORGANISATION_KIND_NOT_SERVED',
        'invalid',
        'This service has no such callers',
        {
          errors: [{ pointer: '#/organisationKind', detail: `one of: ${this.kinds.join(', ') || '(none)'}` }],
        },
      );
    }
    const issued = await this.keys.issue(body);
    return { apiKey: issued.apiKey, key: toApiKeyView(issued.record) };
  }

  @Get()
  @Roles('ops-admin', 'ops-viewer', 'auditor')
  @ApiOkResponse({ type: ApiKeyViewDto, isArray: true, description: 'Metadata only, never key material' })
  async list(@Query() query: ApiKeyListQuery): Promise<ApiKeyViewDto[]> {
    return (await this.keys.list(query.organisationId, query.limit ?? 50, query.after)).map(toApiKeyView);
  }

  @Delete(':id')
  @HttpCode(200)
  @Roles('ops-admin')
  @ApiOkResponse({ type: ApiKeyViewDto, description: 'Revoked: the key stops working at once' })
  @ApiNotFoundResponse({ description: 'API_KEY_NOT_FOUND' })
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<ApiKeyViewDto> {
    return toApiKeyView(await this.keys.revoke(id));
  }
}
