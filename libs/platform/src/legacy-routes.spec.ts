import type { IncomingMessage, ServerResponse } from 'node:http';
import { versioned } from '@app/core';
import { legacyRouteHeaders } from './legacy-routes';

describe('deprecated unprefixed aliases of /v1 routes', () => {
  versioned('things-for-legacy-spec');
  const middleware = legacyRouteHeaders();

  function headersFor(url: string): Record<string, string> {
    const headers: Record<string, string> = {};
    const res = { setHeader: (name: string, value: string) => (headers[name] = value) };
    let called = false;
    middleware({ url } as IncomingMessage, res as unknown as ServerResponse, () => (called = true));
    expect(called).toBe(true);
    return headers;
  }

  it('should serve both paths and answer the old one with Deprecation, Sunset and a Link to /v1', () => {
    expect(versioned('/other-legacy-spec/')).toEqual(['v1/other-legacy-spec', 'other-legacy-spec']);
    expect(headersFor('/things-for-legacy-spec/42?x=1')).toEqual({
      Deprecation: expect.stringMatching(/^@\d+$/) as unknown,
      Sunset: 'Wed, 30 Jun 2027 00:00:00 GMT',
      Link: '</v1/things-for-legacy-spec/42>; rel="successor-version"',
    });
    // Any spelling the router accepts.
    expect(headersFor('/THINGS-FOR-LEGACY-SPEC')).toHaveProperty('Sunset');
    expect(headersFor('/%74hings-for-legacy-spec')).toHaveProperty('Sunset');
  });

  it('should leave /v1 routes and unrelated paths alone', () => {
    expect(headersFor('/v1/things-for-legacy-spec/42')).toEqual({});
    expect(headersFor('/things-for-legacy-spec-not')).toEqual({});
    expect(headersFor('/health/live')).toEqual({});
  });
});
