import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * The transport's exception filter. Nest's default RPC filter replaces every error with a generic
 * "Internal server error", which would erase the domain code the settlement needs; this one hands the
 * original error back to JetStreamServer, which maps its code to nak (transient) or dead-letter + term.
 */
@Catch()
export class JetStreamExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
