// Lint rules for cexbar: typescript-eslint's strict, type-aware set.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'types/', 'node_modules/', 'demo-output/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Template literals with numbers are how log lines and messages are built here.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // node-gtk's generated types declare many GObject values loosely; the checks above keep
      // our own code strict, and this rule would flag every GTK call that returns `any`.
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      // `() => socket.destroy()` as a listener is the idiom of Node's and GTK's event APIs.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Test bodies register with node:test, which returns promises nobody needs to await.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' },
          ],
        },
      ],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
);
