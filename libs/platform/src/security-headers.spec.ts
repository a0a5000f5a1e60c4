import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders } from './security-headers';

describe('securityHeaders (issue 14: no nosniff, frame or cache headers)', () => {
  it('should set nosniff, refuse framing and forbid caching', () => {
    const set = new Map<string, string>();
    const res = {
      setHeader: (name: string, value: string) => set.set(name.toLowerCase(), String(value)),
      removeHeader: (name: string) => set.delete(name.toLowerCase()),
    };
    const next = jest.fn();
    securityHeaders()({ headers: {} } as IncomingMessage, res as unknown as ServerResponse, next);

    expect(next).toHaveBeenCalledWith();
    expect(set.get('x-content-type-options')).toBe('nosniff');
    expect(set.get('x-frame-options')).toBe('DENY');
    expect(set.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(set.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(set.get('cache-control')).toBe('no-store');
  });
});
