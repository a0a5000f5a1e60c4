import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpolate, loadCompose, readEnvFile } from './compose';

describe('compose loader', () => {
  it('interpolates as docker compose does', () => {
    const env = { SET: 'x', EMPTY: '' };
    expect(interpolate('a${SET}b$SET', env)).toBe('axbx');
    expect(interpolate('${EMPTY:-d}|${EMPTY-d}|${UNSET-d}|${UNSET:-}', env)).toBe('d||d|');
    expect(interpolate('${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}', env)).toBe('alt||alt');
    expect(interpolate('$$SET costs $$5', env)).toBe('$SET costs $5');
    expect(interpolate('${EMPTY?fine when empty}', env)).toBe('');
    expect(() => interpolate('${EMPTY:?set EMPTY please}', env)).toThrow(
      'required variable EMPTY is missing a value: set EMPTY please',
    );
    expect(() => interpolate('${UNSET?set it}', env)).toThrow('required variable UNSET is missing a value');
    const unset = new Set<string>();
    expect(interpolate('[${UNSET}]', env, unset)).toBe('[]');
    expect([...unset]).toEqual(['UNSET']);
  });

  it('resolves anchors, merge keys, both environment forms, volumes and depends_on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-loader-'));
    try {
      writeFileSync(
        join(dir, 'compose.yml'),
        [
          'x-env: &env',
          '  A: ${A:?set A}',
          '  N: 3',
          'x-base: &base',
          '  environment: *env',
          '  depends_on: [db]',
          'services:',
          '  web:',
          '    <<: *base',
          '    command: node main.js --port 80',
          '    environment:',
          '      <<: *env',
          '      B: b',
          '    volumes: ["./conf:/etc/conf:ro", "data:/data", "/abs:/abs"]',
          '    depends_on: { db: { condition: service_healthy } }',
          '  job:',
          '    <<: *base',
          '    environment: ["C=c=d", "HOME_DIR"]',
          'volumes:',
          '  data:',
        ].join('\n'),
      );
      const file = loadCompose(join(dir, 'compose.yml'), { A: 'a', HOME_DIR: '/h' });
      expect(file.services.web).toMatchObject({
        command: ['node', 'main.js', '--port', '80'],
        environment: { A: 'a', N: '3', B: 'b' },
        dependsOn: { db: 'service_healthy' },
        volumes: [
          { source: join(dir, 'conf'), target: '/etc/conf', readOnly: true, named: false },
          { source: 'data', target: '/data', readOnly: false, named: true },
          { source: '/abs', target: '/abs', readOnly: false, named: false },
        ],
      });
      expect(file.services.job).toMatchObject({
        environment: { C: 'c=d', HOME_DIR: '/h' },
        dependsOn: { db: 'service_started' },
      });
      expect(file.volumes).toEqual(['data']);
      expect(() => loadCompose(join(dir, 'compose.yml'), {})).toThrow(
        'required variable A is missing a value: set A',
      );

      writeFileSync(join(dir, 'x.env'), '# comment\n\nK=v=w\nL=\n');
      expect(readEnvFile(join(dir, 'x.env'))).toEqual({ K: 'v=w', L: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
