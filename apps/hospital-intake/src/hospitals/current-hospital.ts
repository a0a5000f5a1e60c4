import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AuthenticatedRequest } from '@app/auth';
import { AuthenticatedHospital } from './hospital.types';

/** The calling hospital, from the principal the global AuthGuard bound (routes with @OrgKinds('hospital')). */
export const CurrentHospital = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedHospital => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (principal?.type !== 'organisation' || principal.organisationKind !== 'hospital') {
      throw new Error("CurrentHospital needs a route restricted with @OrgKinds('hospital')");
    }
    return { id: principal.organisationId, name: principal.organisationName };
  },
);
