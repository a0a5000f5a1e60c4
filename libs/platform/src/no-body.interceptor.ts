import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { DomainException } from '@app/core';

/** 400: a body was sent to a route that reads none (a GET, or a POST action without a body). */
export const BODY_NOT_ALLOWED = 'BODY_NOT_ALLOWED';

const BODY_PARAMS = new Set<number>([RouteParamtypes.BODY, RouteParamtypes.RAW_BODY]);

/**
 * Refuses a request body on an HTTP route whose handler declares no `@Body()`: whatever was sent would be
 * silently ignored (the client believes it said something). An empty JSON object (`{}`, what many clients
 * send on every POST) says nothing and passes. Runs after authentication, before the handler.
 */
@Injectable()
export class NoBodyInterceptor implements NestInterceptor {
  private readonly takesBody = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    if (hasBody(request) && !this.readsBody(context)) {
      throw new DomainException(
        BODY_NOT_ALLOWED,
        'invalid',
        `${request.method} ${request.path} takes no body`,
      );
    }
    return next.handle();
  }

  private readsBody(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let known = this.takesBody.get(handler);
    if (known === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ??
        {}) as Record<string, unknown>;
      known = Object.keys(args).some((key) => BODY_PARAMS.has(Number(key.split(':')[0])));
      this.takesBody.set(handler, known);
    }
    return known;
  }
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  const sent = length !== undefined ? Number(length) > 0 : request.headers['transfer-encoding'] !== undefined;
  return sent && !isEmptyJsonObject(request.body);
}

function isEmptyJsonObject(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0;
}
