import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadAuthConfig } from './auth.config';
import { opsOnlyMiddleware } from './docs.middleware';
import { mintOpsToken } from './ops-token';

interface Outcome {
  readonly next: boolean;
  readonly status?: number;
  readonly body?: string;
}

describe('the OpenAPI docs middleware (issue 14: docs served without auth when the case changes)', () => {
  const config = loadAuthConfig({});
  const keys = {
    authenticate: (key: unknown) => Promise.resolve(key === 'good-key' ? { id: 'org' } : undefined),
  };
  const middleware = opsOnlyMiddleware(config, keys);

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
    await expect(run('/docs-json', { 'x-api-key': 'good-key' })).resolves.toMatchObject({ status: 403 });
  });

  it('should leave other paths alone', async () => {
    await expect(run('/v1/referrals/x')).resolves.toEqual({ next: true });
    await expect(run('/health/live')).resolves.toEqual({ next: true });
    await expect(run('/%E0%A4%A')).resolves.toEqual({ next: true });
  });
});
