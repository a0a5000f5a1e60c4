import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  CurrentPrincipal,
  Principal,
  Public,
  Roles,
  STAFF_ROLES,
  STAFF_SESSION_COOKIE,
  StaffApi,
  StaffRoles,
} from '@app/auth';
import {
  CreateStaffAccountDto,
  SignInDto,
  StaffAccountDto,
  StaffAccountListQuery,
  StaffSessionDto,
  UpdateStaffAccountDto,
} from './dto/staff.dto';
import { StaffService } from './staff.service';

interface CookieResponse {
  setHeader(name: string, value: string): void;
}

/** The session cookie: host-only, HTTPS only, never sent cross-site, unreadable by scripts; a browser session. */
function sessionCookie(value: string, clear = false): string {
  const attributes = `${STAFF_SESSION_COOKIE}=${value}; HttpOnly; Secure; SameSite=Strict; Path=/`;
  return clear ? `${attributes}; Max-Age=0` : attributes;
}

/** People of the organisation sign in and out (the web workbench / desk). */
@ApiTags('staff sessions')
@Controller('v1/staff/sessions')
export class StaffSessionsController {
  constructor(private readonly staff: StaffService) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: StaffSessionDto, description: `Signed in; Set-Cookie ${STAFF_SESSION_COOKIE}` })
  @ApiUnauthorizedResponse({ description: 'SIGN_IN_FAILED (wrong username or password, disabled or locked)' })
  async signIn(
    @Body() dto: SignInDto,
    @Res({ passthrough: true }) response: CookieResponse,
  ): Promise<StaffSessionDto> {
    const { token, session } = await this.staff.signIn(dto.username, dto.password);
    response.setHeader('Set-Cookie', sessionCookie(token));
    return session;
  }

  @Get('current')
  @StaffApi()
  @ApiOkResponse({ type: StaffSessionDto })
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED: no live session' })
  current(@CurrentPrincipal() principal: Principal): Promise<StaffSessionDto> {
    return this.staff.current(principal);
  }

  @Delete('current')
  @HttpCode(204)
  @StaffApi()
  @StaffRoles(...STAFF_ROLES)
  @ApiNoContentResponse({ description: 'Signed out: the session is revoked and the cookie cleared' })
  async signOut(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: CookieResponse,
  ): Promise<void> {
    await this.staff.signOut(principal);
    response.setHeader('Set-Cookie', sessionCookie('', true));
  }
}

/** An organisation's coordinators (or its API key, or an ops admin) manage its people. */
@ApiTags('staff accounts')
@ApiForbiddenResponse({ description: 'STAFF_ROLE_FORBIDDEN: only coordinators manage accounts' })
@StaffApi()
@StaffRoles('coordinator')
@Controller('v1/staff/accounts')
export class StaffAccountsController {
  constructor(private readonly staff: StaffService) {}

  @Post()
  @Roles('ops-admin')
  @ApiCreatedResponse({ type: StaffAccountDto })
  @ApiConflictResponse({ description: 'USERNAME_TAKEN' })
  create(
    @CurrentPrincipal() caller: Principal,
    @Body() dto: CreateStaffAccountDto,
  ): Promise<StaffAccountDto> {
    return this.staff.createAccount(caller, dto);
  }

  @Get()
  @Roles('ops-admin', 'ops-viewer', 'auditor')
  @ApiOkResponse({
    type: StaffAccountDto,
    isArray: true,
    description: "The organisation's people, by username",
  })
  list(
    @CurrentPrincipal() caller: Principal,
    @Query() query: StaffAccountListQuery,
  ): Promise<StaffAccountDto[]> {
    return this.staff.listAccounts(caller, query.organisationId);
  }

  @Patch(':accountId')
  @Roles('ops-admin')
  @ApiOkResponse({ type: StaffAccountDto })
  @ApiNotFoundResponse({ description: "STAFF_ACCOUNT_NOT_FOUND (also another organisation's account)" })
  update(
    @CurrentPrincipal() caller: Principal,
    @Param('accountId', ParseUUIDPipe) accountId: string,
    @Body() dto: UpdateStaffAccountDto,
  ): Promise<StaffAccountDto> {
    return this.staff.updateAccount(caller, accountId, dto);
  }
}
