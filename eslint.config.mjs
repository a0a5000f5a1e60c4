import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Libs are imported through `@app/<lib>` only, never by a path into their folder. */
const LIBS_BY_ALIAS = {
  group: ['../../libs/*', '../../../libs/*', '**/libs/*/src/*'],
  message: 'Import libs through their @app/* alias.',
};

/**
 * Projects are apps/<app>, libs/<lib>, scripts and test. A relative import stays inside its own project: a file
 * `depth` folders below its project's root may climb at most `depth` levels. Anything else goes through an alias:
 * `@app/<lib>` for libs, `@apps/<app>/…` and `@scripts/…` for the app and script code that tests and scripts use.
 */
const MAX_DEPTH = 12;
function staysInProject(depth) {
  return {
    regex: `^(\\./)?(\\.\\.(/|$)){${depth + 1},}`,
    message:
      'Relative imports may not leave their project (apps/<app>, libs/<lib>, scripts, test): ' +
      'import libs through @app/<lib>, apps through @apps/<app>/…, scripts through @scripts/….',
  };
}
function crossProjectRules() {
  return Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => {
    const below = '*/'.repeat(depth);
    return {
      files: [`apps/*/${below}*.ts`, `libs/*/${below}*.ts`, `scripts/${below}*.ts`, `test/${below}*.ts`],
      rules: {
        'no-restricted-imports': ['error', { patterns: [LIBS_BY_ALIAS, staysInProject(depth)] }],
      },
    };
  });
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-test/**',
      'node_modules/**',
      '.local/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
      eqeqeq: ['error', 'always'],
      'no-restricted-imports': ['error', { patterns: [LIBS_BY_ALIAS] }],
    },
  },
  ...crossProjectRules(),
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
