import { createHash } from 'node:crypto';

/** A deterministic demo key for the seed (never in production; README documents the formula). */
export function demoApiKey(siteId: string): string {
  const digest = createHash('sha256').update(`referral-bus demo site key: ${siteId}`, 'utf8').digest('hex');
  return `demo_${digest.slice(0, 40)}`;
}
