import type { OpenApiInfo } from '@app/platform';

/** The title and description of this app's OpenAPI document (served at /docs, committed in docs/openapi/). */
export const API_INFO: OpenApiInfo = {
  title: 'referral-bus ops-monitor',
  description: 'Read model of every referral timeline, SLA breaches, dead letters and indicators.',
};
