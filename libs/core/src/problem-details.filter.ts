import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import type { Request, Response } from 'express';
import { DomainException } from './domain.exception';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problemType, statusOf } from './problem-details';

const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** Renders an error in another format than problem+json (e.g. FHIR's OperationOutcome); `true` when it did. */
export type ErrorRenderer = (exception: unknown, host: ArgumentsHost, problem: ProblemDetails) => boolean;

const renderers = new Map<string, ErrorRenderer>();

/**
 * Errors on paths under `prefix` (body-parser's invalid JSON and 413, unknown paths, guards, handlers) are
 * rendered by `renderer` instead of problem+json: a FHIR endpoint answers OperationOutcome even for errors
 * raised before its controller.
 */
export function renderErrorsUnder(prefix: string, renderer: ErrorRenderer): void {
  renderers.set(prefix.replace(/\/$/, ''), renderer);
}

/**
 * The HTTP transport's one exception filter: every error leaves as problem+json with a stable code.
 * For message handlers (RPC context) it hands the original error back unchanged: Nest's default RPC filter
 * would replace it with a generic one, and the JetStream transport settles a failure by its code
 * (see `settle()` in @app/messaging: transient → nak with backoff, permanent → dead-letter + term).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') return throwError(() => exception);
    const context = host.switchToHttp();
    const request = context.getRequest<Request>();
    const response = context.getResponse<Response>();
    const problem = this.toProblem(exception);
    problem.instance = request.originalUrl?.split('?')[0];
    for (const [prefix, render] of renderers) {
      const path = problem.instance ?? '';
      if ((path === prefix || path.startsWith(`${prefix}/`)) && problem.status < 500) {
        if (render(exception, host, problem)) return;
      }
    }
    if (problem.status >= 500) {
      this.logger.error(
        `${request.method} ${problem.instance}: ${(exception as Error)?.stack ?? String(exception)}`,
      );
    }
    // The rate limiter sets the real Retry-After; keep it.
    if ((problem.status === 503 || problem.status === 429) && !response.getHeader('Retry-After')) {
      response.setHeader('Retry-After', '5');
    }
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof DomainException) {
      const status = statusOf(exception.kind);
      const { errors, ...extensions } = exception.details;
      return {
        ...extensions,
        type: problemType(exception.code),
        title: exception.code.replace(/_/g, ' ').toLowerCase(),
        status,
        detail: exception.message,
        code: exception.code,
        // Every entry has a code: its own, else the problem's.
        ...(errors ? { errors: errors.map((e) => ({ ...e, code: e.code ?? exception.code })) } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const detail = Array.isArray(message)
        ? message.join('; ')
        : typeof message === 'string'
          ? message
          : exception.message;
      const code = HTTP_CODES[status] ?? `HTTP_${status}`;
      return { type: problemType(code), title: code.replace(/_/g, ' ').toLowerCase(), status, detail, code };
    }
    const status = (exception as { status?: number; statusCode?: number })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Errors thrown by express middleware (body-parser: entity.too.large, entity.parse.failed, charset…).
      const code = HTTP_CODES[status] ?? `HTTP_${status}`;
      const detail = status === 400 ? 'The request body is not valid JSON' : (exception as Error).message;
      return { type: problemType(code), title: code.replace(/_/g, ' ').toLowerCase(), status, detail, code };
    }
    return {
      type: problemType('INTERNAL_ERROR'),
      title: 'internal error',
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: 'An unexpected error occurred; it has been logged.',
      code: 'INTERNAL_ERROR',
    };
  }
}
