import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import type { Response } from 'express';
import { DomainException, ProblemDetails, ProblemDetailsFilter } from '@app/core';

export const FHIR_JSON = 'application/fhir+json';

const ISSUE_CODES: Record<number, OperationOutcomeIssue['code']> = {
  400: 'invalid',
  401: 'login',
  404: 'not-found',
  409: 'conflict',
  413: 'too-long',
  415: 'not-supported',
  422: 'business-rule',
  503: 'transient',
};

/** FHIR endpoints answer errors as OperationOutcome (one issue per field, FHIRPath in issue[].expression). */
@Catch()
export class OperationOutcomeFilter implements ExceptionFilter {
  private readonly problems = new ProblemDetailsFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const problem = this.problems.toProblem(exception);
    if (problem.status >= 500) {
      this.problems.catch(exception, host);
      return;
    }
    renderOperationOutcome(exception, host, problem);
  }
}

/** The OperationOutcome of an error (also for errors raised before the FHIR controller: see renderErrorsUnder). */
export function renderOperationOutcome(
  exception: unknown,
  host: ArgumentsHost,
  problem: ProblemDetails,
): boolean {
  const code = ISSUE_CODES[problem.status] ?? 'exception';
  const details = {
    coding: [{ system: 'https://referral-bus.dev/problems', code: problem.code }],
    text: problem.code,
  };
  const errors = exception instanceof DomainException ? (exception.details.errors ?? []) : [];
  const issue: OperationOutcomeIssue[] =
    errors.length > 0
      ? errors.map((e) => ({
          severity: 'error',
          code,
          details: { ...details, text: (e as { code?: string }).code ?? problem.code },
          diagnostics: e.detail,
          expression: [e.pointer],
        }))
      : [
          {
            severity: problem.status >= 500 ? 'fatal' : 'error',
            code,
            details,
            diagnostics: problem.detail,
          },
        ];
  const outcome: OperationOutcome = { resourceType: 'OperationOutcome', issue };
  host
    .switchToHttp()
    .getResponse<Response>()
    .status(problem.status)
    .type(FHIR_JSON)
    .send(JSON.stringify(outcome));
  return true;
}
