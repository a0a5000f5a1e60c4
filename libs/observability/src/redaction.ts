/**
 * Log redaction. Services never log payloads; these paths are the safety net for what pino-http would
 * otherwise print (headers with credentials, request bodies that carry patient data).
 */
export const REDACTED = '[REDACTED]';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'req.body',
  'res.body',
  'body',
  'payload',
  'data',
  '*.name',
  '*.idNumber',
  '*.phone',
  '*.address',
  '*.birthDate',
  '*.guardian',
  '*.telecom',
  '*.identifier',
  '*.patient',
  '*.sealedPatient',
];
