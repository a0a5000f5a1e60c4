import { randomBytes } from 'node:crypto';

/** A name unique to this test run: lower-case letters and digits, usable as schema, namespace and durable. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`.toLowerCase();
}
