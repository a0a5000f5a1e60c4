import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minVersion, satisfies, SemVer, validRange } from 'semver';

/**
 * Node version consistency (issue 23): every package in package-lock.json (dependencies and devDependencies)
 * must accept the oldest Node that package.json `engines` allows, so `npm ci` prints no EBADENGINE; and the
 * image's Node is that major. Moving to another Node major: change `engines`, then this spec names what to change.
 */

interface LockEntry {
  readonly version?: string;
  /** An object in current lockfiles; a few old packages still give an array such as ["node >=0.1.95"]. */
  readonly engines?: Record<string, string> | string[];
}

/** The `engines.node` range a lock entry declares, if any. */
function nodeRange(entry: LockEntry): string | undefined {
  if (Array.isArray(entry.engines)) {
    return entry.engines.find((e) => /^node\b/.test(e))?.replace(/^node\s*/, '');
  }
  return entry.engines?.node;
}

/** `name@version requires node <range>` for every locked package that refuses `node`. */
function packagesRefusing(lock: { packages: Record<string, LockEntry> }, node: SemVer): string[] {
  return Object.entries(lock.packages)
    .filter(([path]) => path !== '')
    .flatMap(([path, entry]) => {
      const range = nodeRange(entry);
      if (range === undefined) return [];
      const ok = validRange(range) !== null && satisfies(node, range);
      const name = path.replace(/^.*node_modules\//, '');
      return ok ? [] : [`${name}@${entry.version ?? '?'} (${path}) requires node ${range}`];
    });
}

const root = join(__dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
const oldestNode = minVersion(pkg.engines.node)!;

describe('Node engines', () => {
  it('should have every locked package accept the oldest Node package.json engines allows', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockEntry> };
    expect(Object.keys(lock.packages).length).toBeGreaterThan(500);
    expect(packagesRefusing(lock, oldestNode)).toEqual([]);
  });

  it('should name each package whose engines exclude that Node, dev or not, in either engines form', () => {
    const lock = {
      packages: {
        '': { version: '0.1.0', engines: { node: '>=20.19' } },
        'node_modules/commander': { version: '15.1.0', engines: { node: '>=22.12.0' } },
        'node_modules/@nestjs/cli/node_modules/@angular-devkit/core': {
          version: '22.2.7',
          engines: { node: '^22.22.3 || ^24.15.0 || >=26.0.0' },
        },
        'node_modules/watch': { version: '0.18.0', engines: ['node >=0.1.95'] },
        'node_modules/old': { version: '1.0.0', engines: ['node <0.10'] },
        'node_modules/file-type': { version: '21.3.4', engines: { node: '>=20' } },
        'node_modules/no-engines': { version: '1.0.0' },
      },
    };
    expect(packagesRefusing(lock, new SemVer('20.19.0'))).toEqual([
      'commander@15.1.0 (node_modules/commander) requires node >=22.12.0',
      '@angular-devkit/core@22.2.7 (node_modules/@nestjs/cli/node_modules/@angular-devkit/core) requires node ^22.22.3 || ^24.15.0 || >=26.0.0',
      'old@1.0.0 (node_modules/old) requires node <0.10',
    ]);
  });

  it('should give engines.node as ">=MAJOR.MINOR", the form .ci/run checks before installing', () => {
    expect(pkg.engines.node).toMatch(/^>=\d+\.\d+(\.\d+)?$/);
  });

  it('should build the image on the Node major of engines', () => {
    const image = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(read('docker/Dockerfile'));
    expect(image?.[1]).toBe(String(oldestNode.major));
  });

  it('should install the @types/node of that major', () => {
    const types = (JSON.parse(read('package.json')) as { devDependencies: Record<string, string> })
      .devDependencies['@types/node'];
    expect(minVersion(types)?.major).toBe(oldestNode.major);
  });
});
