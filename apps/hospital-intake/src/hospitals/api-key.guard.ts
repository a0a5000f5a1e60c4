import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { HospitalService } from './hospital.service';
import { API_KEY_HEADER, AuthenticatedHospital } from './hospital.types';

type HospitalRequest = Request & { hospital?: AuthenticatedHospital };

/** Binds every call to the hospital whose API key it presents (X-API-Key); 401 problem+json otherwise. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly hospitals: HospitalService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<HospitalRequest>();
    const header = request.headers[API_KEY_HEADER];
    request.hospital = await this.hospitals.authenticate(Array.isArray(header) ? header[0] : header);
    return true;
  }
}

/** The hospital the ApiKeyGuard authenticated. */
export const CurrentHospital = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedHospital => {
    const hospital = context.switchToHttp().getRequest<HospitalRequest>().hospital;
    if (!hospital) throw new Error('CurrentHospital used without ApiKeyGuard');
    return hospital;
  },
);
