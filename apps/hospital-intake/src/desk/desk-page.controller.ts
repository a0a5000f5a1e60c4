import { join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import {
  CONSENT_GRANTORS,
  CONSENT_METHODS,
  CONSENT_PURPOSES,
  GREEN_DECLINE_REASONS,
  GREEN_ROUTES,
  GREEN_TRIGGERS,
  PATIENT_SEXES,
  RISK_LEVELS,
  STAFF_PAGES,
} from '@app/contracts';
import { repositoryFolder, sharedPageFiles, WebPage } from '@app/platform';
import { HELD_STATUSES } from '../discharges/held/dto/held-discharge.dto';
import { HELD_FIELD_NAMES, HELD_PROBLEM_CODES } from '../discharges/held/holdable';
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
  heldStatuses: HELD_STATUSES,
  heldFields: HELD_FIELD_NAMES,
  heldProblems: HELD_PROBLEM_CODES,
  consentPurposes: CONSENT_PURPOSES,
  consentGrantors: CONSENT_GRANTORS,
  consentMethods: CONSENT_METHODS,
  sexes: PATIENT_SEXES,
} as const;

/** apps/hospital-intake/public: beside src in the repository, copied beside dist in the image. */
export const DESK_FOLDER = repositoryFolder('apps/hospital-intake/public', 'desk.html');

/**
 * The hospital's green-channel desk (issue 24): the open cases with their answer deadlines, acknowledge, admit,
 * decline; and the held discharges, completed with what the hospital system could not send. Public: the page
 * and its files hold no data; it signs in with a staff account and calls /v1/green-cases and
 * /v1/held-discharges, carried by the session cookie.
 */
@ApiExcludeController()
@Public()
@Controller(STAFF_PAGES.hospitalIntake)
export class DeskPageController {
  private readonly page = new WebPage({
    html: join(DESK_FOLDER, 'desk.html'),
    files: { 'desk.js': join(DESK_FOLDER, 'desk.js'), ...sharedPageFiles() },
    generated: { 'vocabulary.json': JSON.stringify(DESK_VOCABULARY) },
  });

  /** One page for every view: the cases, the held discharges, one held discharge, the sign-in form. */
  @Get(['', 'sign-in', 'held', 'held/:heldId'])
  view(@Res() response: Response): void {
    this.page.sendPage(response);
  }

  @Get('static/:file')
  file(@Param('file') file: string, @Res() response: Response): void {
    this.page.sendFile(file, response);
  }
}
