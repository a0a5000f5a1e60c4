import type { OpenApiInfo } from '@app/platform';

/** The title and description of this app's OpenAPI document (served at /docs, committed in docs/openapi/). */
export const API_INFO: OpenApiInfo = {
  title: 'referral-bus rehab-site',
  description:
    'Site directory, routing with atomic capacity, site-facing delivery, decisions, service records.',
};
