import type { OpenApiInfo } from '@app/platform';

/** The title and description of this app's OpenAPI document (served at /docs, committed in docs/openapi/). */
export const API_INFO: OpenApiInfo = {
  title: 'referral-bus registration',
  description:
    'Applications from every channel, consent per purpose, the encrypted patient vault, registrations.',
};
