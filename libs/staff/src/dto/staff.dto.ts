import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { STAFF_ROLES, StaffRole } from '@app/auth';
import { MIN_PASSWORD_LENGTH } from '../staff-password';

/** Longest password accepted (scrypt hashes any length; this bounds the work a request can ask for). */
const MAX_PASSWORD_LENGTH = 256;
const USERNAME = /^[a-z0-9._-]{3,64}$/;

export class SignInDto {
  @ApiProperty({ maxLength: 64 })
  @IsString()
  @MaxLength(64)
  username: string;

  @ApiProperty({ maxLength: MAX_PASSWORD_LENGTH, format: 'password' })
  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;
}

/** Who a person is (shared by the session's person and the account views). */
export class StaffIdentityDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: STAFF_ROLES }) role: StaffRole;
  @ApiProperty() organisationId: string;
  @ApiProperty({ enum: ['site', 'hospital'] }) organisationKind: string;
}

export class StaffPersonDto extends StaffIdentityDto {
  @ApiProperty() organisationName: string;
}

export class StaffSessionDto {
  @ApiProperty({ type: StaffPersonDto }) person: StaffPersonDto;
  @ApiProperty({ description: 'Send as X-CSRF-Token on every call other than GET/HEAD/OPTIONS' })
  csrfToken: string;
  @ApiProperty({ description: 'When the session ends unless used (idle) — never after its absolute end' })
  expiresAt: string;
}

export class StaffAccountDto extends StaffIdentityDto {
  @ApiProperty() disabled: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Locked after failed sign-ins until then' })
  lockedUntil: string | null;
  @ApiProperty() createdAt: string;
}

export class CreateStaffAccountDto {
  @ApiProperty({ pattern: USERNAME.source })
  @Matches(USERNAME)
  username: string;

  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName: string;

  @ApiProperty({ enum: STAFF_ROLES })
  @IsIn(STAFF_ROLES)
  role: StaffRole;

  @ApiProperty({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, format: 'password' })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;

  @ApiPropertyOptional({ description: 'Ops-admin JWT only (required then): the organisation of the person' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/)
  organisationId?: string;
}

export class UpdateStaffAccountDto {
  @ApiPropertyOptional({ enum: STAFF_ROLES })
  @IsOptional()
  @IsIn(STAFF_ROLES)
  role?: StaffRole;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional({ description: "Disabling ends the person's sessions and clears a lockout" })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: MAX_PASSWORD_LENGTH,
    format: 'password',
    description: "A new password ends the person's sessions and clears a lockout",
  })
  @IsOptional()
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password?: string;
}

export class StaffAccountListQuery {
  @ApiPropertyOptional({ description: 'Ops JWT only (required then)' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/)
  organisationId?: string;
}
