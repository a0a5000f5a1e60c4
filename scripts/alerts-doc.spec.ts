import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { OPS_ALERT_CODES } from '@app/contracts';
import { findRepoRoot } from './generate-asyncapi';

const root = findRepoRoot(__dirname);
const SECTION = '## Alerts and what they mean';

/** The first cell of every row of the section's tables, with the `CODE`s written in it. */
function documentedCodes(): Set<string> {
  const doc = readFileSync(join(root, 'docs/operations.md'), 'utf8');
  const start = doc.indexOf(SECTION);
  if (start < 0) throw new Error(`docs/operations.md has no "${SECTION}" section`);
  const end = doc.indexOf('\n## ', start + SECTION.length);
  const codes = new Set<string>();
  for (const line of doc.slice(start, end < 0 ? undefined : end).split('\n')) {
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const first = line.split('|')[1];
    for (const [, code] of first.matchAll(/`([A-Za-z][A-Za-z0-9_]+)`/g)) codes.add(code);
  }
  return codes;
}

/** The alert rules Prometheus loads (docker/prometheus/alerts.yml). */
function prometheusAlerts(): string[] {
  const rules = parse(readFileSync(join(root, 'docker/prometheus/alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string }[] }[];
  };
  return rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !/\.(spec|integration-spec)\.ts$/.test(name) ? [path] : [];
  });
}

describe('docs/operations.md: alerts and what they mean', () => {
  const documented = documentedCodes();
  const registry = new Set<string>(Object.values(OPS_ALERT_CODES));

  it('should have a row for every alert code of the registry (OPS_ALERT_CODES in libs/contracts)', () => {
    expect([...registry].filter((code) => !documented.has(code))).toEqual([]);
  });

  it('should have a row for every Prometheus alert rule', () => {
    expect(prometheusAlerts().filter((alert) => !documented.has(alert))).toEqual([]);
  });

  it('should document no code that nothing raises', () => {
    const known = new Set([...registry, ...prometheusAlerts()]);
    expect([...documented].filter((code) => !known.has(code))).toEqual([]);
  });

  it('should find every code raised in the apps and libs in the registry (no alert code written in place)', () => {
    const written: string[] = [];
    const dirs = ['apps', 'libs'].flatMap((top) =>
      // Every TypeScript project's src (libs/webui holds browser files only, in public/).
      readdirSync(join(root, top))
        .map((name) => join(root, top, name, 'src'))
        .filter((dir) => existsSync(dir)),
    );
    for (const file of dirs.filter((d) => d !== join(root, 'libs/testing/src')).flatMap(sourceFiles)) {
      const text = readFileSync(file, 'utf8');
      if (!/opsAlertRaised|raiseOpsAlert|\.alert\(/.test(text)) continue;
      const literals = [
        ...text.matchAll(/\bcode:\s*'([A-Z][A-Z0-9_]+)'/g),
        ...text.matchAll(/ALERT[A-Z_]*\s*=\s*'([A-Z][A-Z0-9_]+)'/g),
        ...text.matchAll(/\.alert\(\s*'([A-Z][A-Z0-9_]+)'/g),
      ].map((m) => m[1]);
      for (const code of literals) {
        if (!registry.has(code)) written.push(`${relative(root, file)}: ${code}`);
      }
    }
    expect(written).toEqual([]);
  });
});
