import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadAuthConfig } from './auth.config';
import { docsMiddleware } from './docs.middleware';
import { mintOpsToken } from './ops-token';

interface Outcome {
  readonly next: boolean;
  readonly status?: number;
  readonly body?: string;
}

describe('the OpenAPI docs middleware (issue 14: docs served without auth when the case changes)', () => {
  const config = loadAuthConfig({});
  const keys = {
    authenticate: (key: unknown) =>
      Promise.resolve(
        key === 'good-key'
          ? { organisationKind: 'hospital' }
          : key === 'other-kind-key'
            ? { organisationKind: 'site' }
            : undefined,
      ),
  };
  const middleware = docsMiddleware(config, keys, ['hospital']);

  function run(url: string, headers: Record<string, string> = {}): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const res = {
        statusCode: 200,
        setHeader: () => undefined,
        end(body: string) {
          resolve({ next: false, status: this.statusCode, body });
        },
      };
      middleware(
        { url, headers } as unknown as IncomingMessage,
        res as unknown as ServerResponse,
        (error?: unknown) =>
          error ? reject(error instanceof Error ? error : new Error('next(error)')) : resolve({ next: true }),
      );
    });
  }

  it('should ask for an ops JWT on every case, trailing-slash and percent-encoded spelling of the docs paths', async () => {
    const variants = [
      '/docs',
      '/Docs',
      '/DOCS/',
      '/docs-json',
      '/DOCS-JSON',
      '/Docs-Json/',
      '/docs-json?x=1',
      '/DOCS-YAML',
      '/%64ocs-json',
      '/%44OCS-JSON',
      '//docs-json',
      '/Docs/index.html',
    ];
    for (const url of variants) {
      await expect(run(url)).resolves.toMatchObject({ next: false, status: 401 });
    }
  });

  it('should refuse an API key sent together with a valid ops JWT (401), and let the JWT alone through', async () => {
    const token = await mintOpsToken(config, { subject: 'alice', roles: ['ops-viewer'] });
    const both = await run('/docs-json', { authorization: `Bearer ${token}`, 'x-api-key': 'good-key' });
    expect(both).toMatchObject({ next: false, status: 401 });
    expect(both.body).toContain('UNAUTHENTICATED');
    await expect(run('/DOCS-JSON', { authorization: `Bearer ${token}` })).resolves.toEqual({ next: true });
  });

  it('should let an organisation key of a kind the service serves read the docs (issue 20), and no other', async () => {
    await expect(run('/docs-json', { 'x-api-key': 'good-key' })).resolves.toEqual({ next: true });
    await expect(run('/DOCS', { 'x-api-key': 'good-key' })).resolves.toEqual({ next: true });
    await expect(run('/docs-json', { 'x-api-key': 'other-kind-key' })).resolves.toMatchObject({
      status: 403,
    });
    await expect(run('/docs-json', { 'x-api-key': 'unknown-key' })).resolves.toMatchObject({ status: 401 });
    await expect(run('/Docs-Json', { authorization: 'Bearer not-a-jwt' })).resolves.toMatchObject({
      status: 401,
    });
  });

  it('should leave other paths alone', async () => {
    await expect(run('/v1/referrals/x')).resolves.toEqual({ next: true });
    await expect(run('/health/live')).resolves.toEqual({ next: true });
    await expect(run('/%E0%A4%A')).resolves.toEqual({ next: true });
  });
});
