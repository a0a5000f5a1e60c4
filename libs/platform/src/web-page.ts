import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { Response } from 'express';
import { DomainException } from '@app/core';

/**
 * The Content-Security-Policy of every page a service serves: scripts, styles and data from its own origin only
 * (no inline script or style, no eval), nothing framed, no form posted anywhere (the pages submit with fetch).
 * `img-src data:` for the stylesheet's inline SVG icons.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const HTML = 'text/html; charset=utf-8';
/** What a static file may be (a page's HTML is only ever the page itself). */
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/**
 * A folder of the repository (e.g. `apps/rehab-site/public`), found from a compiled or source file by walking up
 * to the folder that holds it: the repository in development and tests, `/app` in the image (docker/Dockerfile
 * copies the public folders beside dist). `marker` is a file that must be in it.
 */
export function repositoryFolder(relative: string, marker: string, from: string = __dirname): string {
  const tried: string[] = [];
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    tried.push(candidate);
    if (existsSync(join(candidate, marker))) return candidate;
    if (dirname(dir) === dir) break;
  }
  const cwd = join(process.cwd(), relative);
  if (existsSync(join(cwd, marker))) return cwd;
  throw new Error(`${relative}/${marker} not found (looked in ${[...tried, cwd].join(', ')})`);
}

/**
 * The front-end files both staff pages share (api client, i18n, sign-in, formatting; libs/webui/public) and the
 * front-end stack, served from node_modules and never copied into the repository: the CSP build of Alpine (no
 * eval; its ES module) and Pico CSS. By the name a page asks for. Looked up when a page controller is built,
 * so a service without pages never needs them.
 */
export function sharedPageFiles(): Record<string, string> {
  const webui = repositoryFolder('libs/webui/public', 'api.js');
  return {
    ...Object.fromEntries(WEBUI_FILES.map((name) => [name, join(webui, name)])),
    ...vendorFiles(),
  };
}

const WEBUI_FILES = [
  'api.js',
  'i18n.js',
  'session.js',
  'format.js',
  'shell.js',
  'webui.css',
  'zh-CN.json',
  'en.json',
  // Fragments both pages include (`<!-- include header.html -->`): the header and the sign-in form.
  'header.html',
  'sign-in.html',
];

function vendorFiles(): Record<string, string> {
  return {
    'alpine.js': require.resolve('@alpinejs/csp/dist/module.esm.min.js'),
    'pico.css': require.resolve('@picocss/pico/css/pico.min.css'),
  };
}

export interface WebPageFiles {
  /**
   * The page's HTML (every route of a single-page app answers it). `<!-- include NAME.html -->` is replaced at
   * boot by that file of `files` (the fragments the pages share).
   */
  readonly html: string;
  /** Static files by name: the app's own and sharedPageFiles(). */
  readonly files: Readonly<Record<string, string>>;
  /** Files made at boot (e.g. the wire vocabulary from @app/contracts), by name. */
  readonly generated?: Readonly<Record<string, string>>;
}

const INCLUDE = /<!--\s*include\s+([\w.-]+\.html)\s*-->/g;

/**
 * How a page controller answers: the HTML (its includes filled in at boot) with the strict CSP and no caching,
 * static files by an allow-list of names (anything else: 404 problem+json, never a path on disk), vendor files
 * cacheable for a day.
 */
export class WebPage {
  private readonly files: Map<string, string>;
  private readonly html: string;

  constructor(private readonly spec: WebPageFiles) {
    this.files = new Map(Object.entries(spec.files));
    for (const [name, path] of this.files) {
      if (!existsSync(path)) throw new Error(`page file ${name} not found at ${path}`);
    }
    if (!existsSync(spec.html)) throw new Error(`page not found at ${spec.html}`);
    this.html = readFileSync(spec.html, 'utf8').replace(INCLUDE, (_, name: string) => {
      const fragment = this.files.get(name);
      if (!fragment) throw new Error(`${spec.html} includes ${name}, which is not one of its files`);
      return readFileSync(fragment, 'utf8').trimEnd();
    });
  }

  sendPage(response: Response): void {
    response.setHeader('Content-Security-Policy', PAGE_CSP);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Content-Type', HTML);
    response.send(this.html);
  }

  sendFile(name: string, response: Response): void {
    const type = CONTENT_TYPES[extname(name)];
    const generated = this.spec.generated?.[name];
    if (type && generated !== undefined) {
      response.setHeader('Cache-Control', 'no-cache');
      response.setHeader('Content-Type', type);
      response.send(generated);
      return;
    }
    const path = this.files.get(name);
    if (!type || !path) throw new DomainException('PAGE_FILE_NOT_FOUND', 'not-found', 'No such file');
    const vendor = path.includes(`${sep}node_modules${sep}`);
    response.setHeader('Cache-Control', vendor ? 'public, max-age=86400' : 'no-cache');
    response.setHeader('Content-Type', type);
    response.sendFile(path, { cacheControl: false });
  }
}
