import { CanActivate, ExecutionContext, mixin, Type, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';

/**
 * 415 UNSUPPORTED_MEDIA_TYPE unless the request's Content-Type is one of `types` (parameters such as
 * charset ignored). A transport check, so it runs before the body is validated.
 */
export function ContentTypes(...types: string[]): Type<CanActivate> {
  class ContentTypeGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      const header = context.switchToHttp().getRequest<Request>().headers['content-type'] ?? '';
      const mediaType = header.split(';')[0].trim().toLowerCase();
      if (!types.includes(mediaType)) {
        throw new UnsupportedMediaTypeException(`Content-Type must be one of: ${types.join(', ')}`);
      }
      return true;
    }
  }
  return mixin(ContentTypeGuard);
}
