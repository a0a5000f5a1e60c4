import type { OpenApiInfo } from '@app/platform';

/** The title and description of this app's OpenAPI document (served at /docs, committed in docs/openapi/). */
export const API_INFO: OpenApiInfo = {
  title: 'referral-bus employment-referral',
  description: 'Employment referrals of patients a site confirmed ready, and their stages.',
};
