import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The direction of dependencies inside functions/, one entry per layer: what it may import of the
 * project besides itself. Everything else of functions/ is refused. `core` is the pure domain;
 * adapters are the thin AWS edges; services join them; http is the request kit; each dialect owns
 * only its wire format; the worker runs tasks without knowing any dialect. Top-level modules are
 * definitions (resources, config), the shared logger, and composition tables (routes, consumers,
 * schedules, access, callback-forms), which may import anything.
 */
const LAYERS = {
  core: [],
  adapters: ['core', 'resources.ts', 'config.ts'],
  http: ['core', 'logger.ts'],
  services: ['core', 'adapters', 'config.ts', 'resources.ts', 'logger.ts'],
  storage: ['core', 'http', 'services', 'config.ts', 'resources.ts'],
  ost: ['core', 'http', 'services', 'config.ts', 'resources.ts', 'logger.ts'],
  ci: ['core', 'http', 'services', 'config.ts', 'resources.ts'],
  auth: ['core', 'http', 'services'],
  kmp: ['core', 'http', 'services', 'config.ts'],
  vision: ['core', 'http', 'services'],
  platform: ['core', 'http', 'routes.ts'],
  worker: ['core', 'adapters', 'services', 'config.ts', 'resources.ts', 'logger.ts', 'callback-forms.ts'],
};
const TOP_LEVEL = ['resources.ts', 'config.ts', 'logger.ts', 'routes.ts', 'consumers.ts', 'schedules.ts', 'access.ts', 'callback-forms.ts'];
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** For files `depth` folders below functions/<layer>/, every relative import that leaves the layer for somewhere it may not go. */
function layerRule(layer, allowed, depth) {
  const up = escape('../'.repeat(depth));
  const refused = [
    ...Object.keys(LAYERS)
      .filter((other) => other !== layer && !allowed.includes(other))
      .map((other) => `${other}/`),
    ...TOP_LEVEL.filter((file) => !allowed.includes(file)),
  ];
  return {
    files: [`functions/${layer}/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^${up}(${refused.map(escape).join('|')})`,
              message: `functions/${layer} may import only ${allowed.join(', ') || 'nothing'} of the project (eslint.config.js: LAYERS)`,
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'layers/', '.bench/', 'coverage/', '.scratch/', '.tessera/', '**/*.as.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...Object.entries(LAYERS).flatMap(([layer, allowed]) => [1, 2, 3].map((depth) => layerRule(layer, allowed, depth))),
  {
    files: ['functions/logger.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\./', message: 'the logger imports nothing of the project' }] }] },
  },
);
