import { join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import {
  CLOSURE_OUTCOMES,
  COLOUR_GRADES,
  CONDITION_STATUSES,
  DECLINE_REASONS,
  EMPLOYMENT_PROGRAMMES,
  EMPLOYMENT_STAGES,
  REHAB_SERVICES,
  RISK_LEVELS,
  SERVICE_RECORD_KINDS,
  STAFF_PAGES,
} from '@app/contracts';
import { repositoryFolder, sharedPageFiles, WebPage } from '@app/platform';
import { FOLLOW_UP_REACHED } from '../referrals/dto/referral.dto';
import { REFERRAL_STATUSES, SITE_ACTIONS } from '../referrals/referral-lifecycle';

/** The codes the workbench's forms offer and its dictionaries label: the API's own vocabulary, one source. */
export const WORKBENCH_VOCABULARY = {
  declineReasons: DECLINE_REASONS,
  closureOutcomes: CLOSURE_OUTCOMES,
  followUpReached: FOLLOW_UP_REACHED,
  rehabServices: REHAB_SERVICES,
  conditionStatuses: CONDITION_STATUSES,
  employmentProgrammes: EMPLOYMENT_PROGRAMMES,
  employmentStages: EMPLOYMENT_STAGES,
  riskLevels: RISK_LEVELS,
  colourGrades: COLOUR_GRADES,
  referralStatuses: REFERRAL_STATUSES,
  siteActions: SITE_ACTIONS,
  recordKinds: SERVICE_RECORD_KINDS,
} as const;

/** apps/rehab-site/public: beside src in the repository, copied beside dist in the image (docker/Dockerfile). */
export const WORKBENCH_FOLDER = repositoryFolder('apps/rehab-site/public', 'workbench.html');

/**
 * The site workbench (issue 24): a page for sites with no system of their own. Public: the page and its files
 * hold no data; it signs in with a staff account (POST /v1/staff/sessions) and calls the same /v1 API as any
 * site system, carried by the session cookie.
 */
@ApiExcludeController()
@Public()
@Controller(STAFF_PAGES.rehabSite)
export class WorkbenchPageController {
  private readonly page = new WebPage({
    html: join(WORKBENCH_FOLDER, 'workbench.html'),
    files: { 'workbench.js': join(WORKBENCH_FOLDER, 'workbench.js'), ...sharedPageFiles() },
    generated: { 'vocabulary.json': JSON.stringify(WORKBENCH_VOCABULARY) },
  });

  /** One page for every view: the worklist, a referral, the sign-in form, the staff list. */
  @Get(['', 'sign-in', 'referrals/:referralId', 'staff'])
  view(@Res() response: Response): void {
    this.page.sendPage(response);
  }

  @Get('static/:file')
  file(@Param('file') file: string, @Res() response: Response): void {
    this.page.sendFile(file, response);
  }
}
