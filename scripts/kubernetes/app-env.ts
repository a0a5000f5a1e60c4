import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The environment variables an app can read, found in its source rather than kept in a second list: every
 * file reachable by imports from `apps/<app>/src/main.ts` (its libs included) is parsed, and what the config
 * loaders use to read a variable is collected — `env.NAME` / `process.env.NAME`, a quoted `'NAME'` (as in
 * `integerFromEnv(env, 'NAME', …)` or `env['NAME']`), the upper-case fields of the class-validator
 * environment classes (`DATABASE_URL?: string`), and template names such as `OPS_STUCK_AFTER_${state}_SECONDS`
 * as patterns. A name set in a manifest that none of these matches is one the app would silently ignore.
 */
export interface AppEnvironment {
  readonly names: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
  readonly files: number;
}

const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const ALIASES: readonly [RegExp, (rest: string) => string][] = [
  [/^@app\/([a-z]+)$/, (lib) => `libs/${lib}/src/index`],
  [/^@app\/([a-z]+)\/(.+)$/, (spec) => spec.replace(/^([a-z]+)\/(.+)$/, 'libs/$1/src/$2')],
  [/^@apps\/(.+)$/, (rest) => `apps/${rest}`],
  [/^@scripts\/(.+)$/, (rest) => `scripts/${rest}`],
];

function resolveImport(root: string, fromFile: string, specifier: string): string | undefined {
  let base: string | undefined;
  if (specifier.startsWith('.')) base = resolve(dirname(fromFile), specifier);
  for (const [pattern, to] of ALIASES) {
    const match = pattern.exec(specifier);
    if (match) base = join(root, to(match.slice(1).join('/')));
  }
  if (base === undefined) return undefined; // a package from node_modules
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function templatePattern(node: ts.TemplateExpression): RegExp | undefined {
  const parts = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)];
  const source = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[A-Z0-9_]+');
  // Both ends fixed (`OPS_STUCK_AFTER_${state}_SECONDS`): a bare prefix such as `HTTP_${status}` would admit any
  // name that starts alike.
  const tail = parts[parts.length - 1];
  return /^[A-Z][A-Z0-9_]*_$/.test(node.head.text) && /^_[A-Z0-9_]+$/.test(tail)
    ? new RegExp(`^${source}$`)
    : undefined;
}

function isEnvObject(expression: ts.Expression): boolean {
  const text = expression.getText();
  return text === 'env' || text.endsWith('.env');
}

const cache = new Map<string, AppEnvironment>();

/** The variables the app reads, from the files reachable from `apps/<app>/src/<entry>.ts` (memoised). */
export function appEnvironment(
  root: string,
  app: string,
  entry: 'main' | 'migrate' = 'main',
): AppEnvironment {
  const key = `${root}:${app}:${entry}`;
  const known = cache.get(key);
  if (known) return known;
  const found = scanEnvironment(root, app, entry);
  cache.set(key, found);
  return found;
}

function scanEnvironment(root: string, app: string, entry: 'main' | 'migrate'): AppEnvironment {
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  const seen = new Set<string>();
  const queue = [join(root, 'apps', app, 'src', `${entry}.ts`)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || /\.(spec|integration-spec|e2e-spec)\.ts$/.test(file)) continue;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        const target = resolveImport(root, file, node.moduleSpecifier.text);
        if (target) queue.push(target);
      } else if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      ) {
        const target = resolveImport(root, file, node.arguments[0].text);
        if (target) queue.push(target);
      } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        if (ENV_NAME.test(node.text)) names.add(node.text);
      } else if (ts.isPropertyAccessExpression(node) && isEnvObject(node.expression)) {
        names.add(node.name.text);
      } else if (
        ts.isPropertyDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        ENV_NAME.test(node.name.text)
      ) {
        names.add(node.name.text);
      } else if (ts.isTemplateExpression(node)) {
        const pattern = templatePattern(node);
        if (pattern) patterns.push(pattern);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { names, patterns, files: seen.size };
}

/** Whether `name` is a variable the app reads. */
export function readsVariable(env: AppEnvironment, name: string): boolean {
  return env.names.has(name) || env.patterns.some((p) => p.test(name));
}
