import { join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { GREEN_DECLINE_REASONS, GREEN_ROUTES, GREEN_TRIGGERS, RISK_LEVELS } from '@app/contracts';
import { repositoryFolder, sharedPageFiles, WebPage } from '@app/platform';
import { GREEN_CASE_ACTIONS } from '../green-cases/dto/green-case.dto';
import { GREEN_CASE_STATUSES } from '../green-cases/green-case.repository';

/** The codes the desk offers and its dictionaries label: the API's own vocabulary, one source. */
export const DESK_VOCABULARY = {
  greenDeclineReasons: GREEN_DECLINE_REASONS,
  greenTriggers: GREEN_TRIGGERS,
  greenRoutes: GREEN_ROUTES,
  greenCaseStatuses: GREEN_CASE_STATUSES,
  greenCaseActions: GREEN_CASE_ACTIONS,
  riskLevels: RISK_LEVELS,
} as const;

/** apps/hospital-intake/public: beside src in the repository, copied beside dist in the image. */
export const DESK_FOLDER = repositoryFolder('apps/hospital-intake/public', 'desk.html');

/**
 * The hospital's green-channel desk (issue 24): the open cases with their answer deadlines, acknowledge, admit,
 * decline. Public: the page and its files hold no data; it signs in with a staff account and calls
 * /v1/green-cases, carried by the session cookie.
 */
@ApiExcludeController()
@Public()
@Controller('desk')
export class DeskPageController {
  private readonly page = new WebPage({
    html: join(DESK_FOLDER, 'desk.html'),
    files: { 'desk.js': join(DESK_FOLDER, 'desk.js'), ...sharedPageFiles() },
    generated: { 'vocabulary.json': JSON.stringify(DESK_VOCABULARY) },
  });

  @Get(['', 'sign-in'])
  view(@Res() response: Response): void {
    this.page.sendPage(response);
  }

  @Get('static/:file')
  file(@Param('file') file: string, @Res() response: Response): void {
    this.page.sendFile(file, response);
  }
}
