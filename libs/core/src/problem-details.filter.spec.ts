import {
  ArgumentsHost,
  BadRequestException,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { lastValueFrom, Observable } from 'rxjs';
import { DomainException, ErrorKind, FieldError } from './domain.exception';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, ProblemDetails } from './problem-details';
import { ProblemDetailsFilter } from './problem-details.filter';

/** The parts of express' Response the filter uses, recording what it was told. */
class FakeResponse {
  statusCode?: number;
  contentType?: string;
  body?: string;
  readonly headers: Record<string, string> = {};

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  type(value: string): this {
    this.contentType = value;
    return this;
  }

  send(body: string): this {
    this.body = body;
    return this;
  }

  setHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  getHeader(name: string): string | undefined {
    return this.headers[name];
  }
}

function hostFor(
  type: 'http' | 'rpc',
  response: FakeResponse,
  originalUrl = '/referrals/1?debug=true',
): ArgumentsHost {
  const request = { method: 'POST', originalUrl };
  const host: Pick<ArgumentsHost, 'getType' | 'switchToHttp'> = {
    getType: <T extends string>() => type as T,
    switchToHttp: () => ({
      getRequest: <T>() => request as T,
      getResponse: <T>() => response as unknown as T,
      getNext: <T>() => undefined as T,
    }),
  };
  return host as ArgumentsHost;
}

describe(ProblemDetailsFilter.name, () => {
  let sut: ProblemDetailsFilter;

  beforeEach(() => {
    sut = new ProblemDetailsFilter();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('toProblem', () => {
    describe('domain exceptions', () => {
      it.each([
        ['invalid', 400],
        ['unauthenticated', 401],
        ['not-found', 404],
        ['conflict', 409],
        ['unprocessable', 422],
        ['rate-limited', 429],
        ['unavailable', 503],
      ] as const)('should answer %s with %i', (kind: ErrorKind, status) => {
        const problem = sut.toProblem(new DomainException('REFERRAL_STATE', kind, 'cannot do that now'));

        expect(problem).toEqual<ProblemDetails>({
          type: `${PROBLEM_TYPE_BASE}referral-state`,
          title: 'referral state',
          status,
          detail: 'cannot do that now',
          code: 'REFERRAL_STATE',
        });
      });

      it('should include the field errors when the exception has some', () => {
        const errors: FieldError[] = [
          { pointer: '#/patient/idNumber', detail: 'idNumber must be 18 characters' },
          { pointer: '#/riskLevel', detail: 'riskLevel must not be greater than 5' },
        ];

        const problem = sut.toProblem(
          new DomainException('VALIDATION_FAILED', 'invalid', 'The request is not valid', { errors }),
        );

        expect(problem).toMatchObject({
          status: 400,
          code: 'VALIDATION_FAILED',
          type: `${PROBLEM_TYPE_BASE}validation-failed`,
          errors,
        });
      });

      it('should leave errors out when the exception has none', () => {
        const problem = sut.toProblem(new DomainException('CONSENT_NOT_FOUND', 'not-found', 'no consent'));

        expect(problem).not.toHaveProperty('errors');
      });

      it('should add the other details as extension members', () => {
        const problem = sut.toProblem(
          new DomainException('DEAD_LETTER_NOT_REPLAYABLE', 'conflict', 'already replayed', {
            deadLetterId: 'dl-1',
            consumer: 'registration__referral-assessed',
          }),
        );

        expect(problem).toMatchObject({
          status: 409,
          code: 'DEAD_LETTER_NOT_REPLAYABLE',
          deadLetterId: 'dl-1',
          consumer: 'registration__referral-assessed',
        });
      });
    });

    describe('http exceptions', () => {
      it('should answer 413 with PAYLOAD_TOO_LARGE', () => {
        const problem = sut.toProblem(new PayloadTooLargeException());

        expect(problem).toEqual<ProblemDetails>({
          type: `${PROBLEM_TYPE_BASE}payload-too-large`,
          title: 'payload too large',
          status: 413,
          detail: 'Payload Too Large',
          code: 'PAYLOAD_TOO_LARGE',
        });
      });

      it('should answer a plain HttpException(413) with PAYLOAD_TOO_LARGE', () => {
        const problem = sut.toProblem(new HttpException('body exceeds 1mb', HttpStatus.PAYLOAD_TOO_LARGE));

        expect(problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'body exceeds 1mb' });
      });

      it('should join a list of messages into the detail', () => {
        const problem = sut.toProblem(new BadRequestException(['a is wrong', 'b is wrong']));

        expect(problem).toMatchObject({ status: 400, code: 'BAD_REQUEST', detail: 'a is wrong; b is wrong' });
      });

      it('should map a route miss to NOT_FOUND', () => {
        expect(sut.toProblem(new NotFoundException('Cannot GET /nowhere'))).toMatchObject({
          status: 404,
          code: 'NOT_FOUND',
          detail: 'Cannot GET /nowhere',
        });
      });

      it('should fall back to HTTP_<status> when the status has no code', () => {
        expect(sut.toProblem(new HttpException('I am a teapot', 418))).toMatchObject({
          status: 418,
          code: 'HTTP_418',
          type: `${PROBLEM_TYPE_BASE}http-418`,
        });
      });
    });

    describe('express middleware errors', () => {
      it('should answer a body-parser parse failure with 400 BAD_REQUEST', () => {
        const error = Object.assign(new SyntaxError('Unexpected token } in JSON at position 12'), {
          status: 400,
          type: 'entity.parse.failed',
        });

        expect(sut.toProblem(error)).toEqual<ProblemDetails>({
          type: `${PROBLEM_TYPE_BASE}bad-request`,
          title: 'bad request',
          status: 400,
          detail: 'The request body is not valid JSON',
          code: 'BAD_REQUEST',
        });
      });

      it('should answer a plain body-parser style object with 400 BAD_REQUEST', () => {
        expect(sut.toProblem({ status: 400, type: 'entity.parse.failed' })).toMatchObject({
          status: 400,
          code: 'BAD_REQUEST',
        });
      });

      it('should answer a body-parser size error with 413 PAYLOAD_TOO_LARGE', () => {
        const error = Object.assign(new Error('request entity too large'), {
          status: 413,
          type: 'entity.too.large',
        });

        expect(sut.toProblem(error)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      });
    });

    describe('anything else', () => {
      it.each([
        ['an Error', new Error('password authentication failed for user "referral"')],
        [
          'an Error with a 5xx status',
          Object.assign(new Error('pool exhausted at 10.0.0.5'), { status: 502 }),
        ],
        ['a string', 'SELECT * FROM patient failed'],
        ['undefined', undefined],
        ['null', null],
      ])('should answer %s with 500 INTERNAL_ERROR', (_label, exception) => {
        expect(sut.toProblem(exception)).toEqual<ProblemDetails>({
          type: `${PROBLEM_TYPE_BASE}internal-error`,
          title: 'internal error',
          status: 500,
          detail: 'An unexpected error occurred; it has been logged.',
          code: 'INTERNAL_ERROR',
        });
      });

      it('should not leak the error message when the error is unexpected', () => {
        const problem = sut.toProblem(new Error('connect ECONNREFUSED 10.1.2.3:5432 secret=hunter2'));

        expect(JSON.stringify(problem)).not.toContain('hunter2');
        expect(JSON.stringify(problem)).not.toContain('ECONNREFUSED');
      });
    });
  });

  describe('catch', () => {
    let loggedError: jest.SpiedFunction<Logger['error']>;

    beforeEach(() => {
      loggedError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    });

    it('should send problem+json with the status and the path without query', () => {
      const response = new FakeResponse();

      sut.catch(
        new DomainException('CONSENT_NOT_FOUND', 'not-found', 'no consent'),
        hostFor('http', response),
      );

      expect(response.statusCode).toBe(404);
      expect(response.contentType).toBe(PROBLEM_CONTENT_TYPE);
      expect(JSON.parse(response.body ?? '{}')).toEqual({
        type: `${PROBLEM_TYPE_BASE}consent-not-found`,
        title: 'consent not found',
        status: 404,
        detail: 'no consent',
        code: 'CONSENT_NOT_FOUND',
        instance: '/referrals/1',
      });
      expect(response.headers).toEqual({});
      expect(loggedError).not.toHaveBeenCalled();
    });

    it.each([
      ['unavailable', 503],
      ['rate-limited', 429],
    ] as const)('should set Retry-After when the kind is %s', (kind, status) => {
      const response = new FakeResponse();

      sut.catch(new DomainException('BUSY', kind, 'try later'), hostFor('http', response));

      expect(response.statusCode).toBe(status);
      expect(response.headers).toEqual({ 'Retry-After': '5' });
    });

    it('should log unexpected errors when answering 500', () => {
      const response = new FakeResponse();

      sut.catch(new Error('kaboom'), hostFor('http', response));

      expect(response.statusCode).toBe(500);
      expect(loggedError).toHaveBeenCalledWith(expect.stringContaining('kaboom'));
      expect(response.body).not.toContain('kaboom');
    });

    it('should hand the original error back when the context is not http', async () => {
      const original = new DomainException('NATS_UNAVAILABLE', 'unavailable', 'down');
      const response = new FakeResponse();

      const result = sut.catch(original, hostFor('rpc', response));

      expect(result).toBeInstanceOf(Observable);
      await expect(lastValueFrom(result as Observable<never>)).rejects.toBe(original);
      expect(response.statusCode).toBeUndefined();
    });
  });
});
