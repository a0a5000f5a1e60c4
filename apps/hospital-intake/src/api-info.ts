import type { OpenApiInfo } from '@app/platform';

/** The title and description of this app's OpenAPI document (served at /docs, committed in docs/openapi/). */
export const API_INFO: OpenApiInfo = {
  title: 'referral-bus hospital-intake',
  description:
    'Discharge notices from hospital systems (JSON, FHIR R4, HL7v2, NATS), discharge assessment, hospital registry, green-channel cases.',
  // Errors on FHIR paths are OperationOutcomes (see OperationOutcomeFilter and renderErrorsUnder).
  errorBodies: ['/v1/fhir', '/fhir'].map((pathPrefix) => ({
    pathPrefix,
    contentType: 'application/fhir+json',
    schema: {
      type: 'object',
      description: 'FHIR R4 OperationOutcome: one issue per problem, the field in issue[].expression.',
      required: ['resourceType', 'issue'],
      properties: { resourceType: { type: 'string', enum: ['OperationOutcome'] }, issue: { type: 'array' } },
    },
  })),
};
