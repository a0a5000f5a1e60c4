import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'express';
import { DomainException } from '@app/core';
import { PAGE_CSP, repositoryFolder, sharedPageFiles, WebPage } from './web-page';

function fakeResponse() {
  const headers: Record<string, string> = {};
  const sent: { file?: string; body?: string } = {};
  const response = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    sendFile: (file: string) => (sent.file = file),
    send: (body: string) => (sent.body = body),
  } as unknown as Response;
  return { response, headers, sent };
}

describe('WebPage', () => {
  let dir: string;
  let page: WebPage;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'web-page-'));
    writeFileSync(join(dir, 'index.html'), '<body>\n  <!-- include part.html -->\n</body>\n');
    writeFileSync(join(dir, 'part.html'), '<p>shared</p>\n');
    writeFileSync(join(dir, 'app.js'), 'app.js');
    page = new WebPage({
      html: join(dir, 'index.html'),
      files: { 'app.js': join(dir, 'app.js'), 'part.html': join(dir, 'part.html'), ...sharedPageFiles() },
      generated: { 'vocabulary.json': '{"a":[1]}' },
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should answer the page with the strict CSP (no inline script or style, no eval) and no caching', () => {
    const { response, headers, sent } = fakeResponse();
    page.sendPage(response);
    // The fragment the page includes is filled in; the page is never a file sent from disk as it is.
    expect(sent.body).toBe('<body>\n  <p>shared</p>\n</body>\n');
    expect(headers['content-security-policy']).toBe(PAGE_CSP);
    expect(PAGE_CSP).toContain("script-src 'self';");
    expect(PAGE_CSP).toContain("style-src 'self';");
    expect(PAGE_CSP).not.toMatch(/unsafe-(inline|eval)/);
    expect(headers['cache-control']).toBe('no-store');
  });

  it('should serve allow-listed files by name, vendor files cacheable, generated files from memory', () => {
    const own = fakeResponse();
    page.sendFile('app.js', own.response);
    expect(own.sent.file).toBe(join(dir, 'app.js'));
    expect(own.headers['content-type']).toMatch(/^text\/javascript/);
    expect(own.headers['cache-control']).toBe('no-cache');

    const vendor = fakeResponse();
    page.sendFile('alpine.js', vendor.response);
    expect(vendor.sent.file).toMatch(/node_modules\/@alpinejs\/csp\/dist\/module\.esm\.min\.js$/);
    expect(vendor.headers['cache-control']).toBe('public, max-age=86400');

    const generated = fakeResponse();
    page.sendFile('vocabulary.json', generated.response);
    expect(generated.sent.body).toBe('{"a":[1]}');
    expect(generated.headers['content-type']).toMatch(/^application\/json/);
  });

  it.each(['nope.js', '../index.html', '..%2Fapp.js', 'app.js.map', 'index.html', 'part.html', ''])(
    'should answer 404 PAGE_FILE_NOT_FOUND for %j, never a path on disk',
    (name) => {
      const { response, sent } = fakeResponse();
      expect(() => page.sendFile(name, response)).toThrow(
        expect.objectContaining({ code: 'PAGE_FILE_NOT_FOUND', kind: 'not-found' }) as DomainException,
      );
      expect(sent).toEqual({});
    },
  );

  it('should find the shared files and the front-end stack (served from node_modules, never copied)', () => {
    const files = sharedPageFiles();
    expect(Object.keys(files).sort()).toEqual(
      [
        'alpine.js',
        'api.js',
        'en.json',
        'format.js',
        'header.html',
        'i18n.js',
        'pico.css',
        'session.js',
        'shell.js',
        'sign-in.html',
        'webui.css',
        'zh-CN.json',
      ].sort(),
    );
    for (const path of Object.values(files)) expect(existsSync(path)).toBe(true);
    expect(files['pico.css']).toContain(`${join('node_modules', '@picocss', 'pico')}`);
  });

  it('should refuse to start with a missing file, and say where it looked for a folder', () => {
    expect(
      () => new WebPage({ html: join(dir, 'index.html'), files: { 'x.js': join(dir, 'x.js') } }),
    ).toThrow(/x\.js not found/);
    writeFileSync(join(dir, 'other.html'), '<!-- include secret.html -->');
    expect(() => new WebPage({ html: join(dir, 'other.html'), files: {} })).toThrow(
      /includes secret\.html, which is not one of its files/,
    );
    expect(() => repositoryFolder('no/such/folder', 'index.html', dir)).toThrow(
      /no\/such\/folder\/index\.html not found/,
    );
  });
});
