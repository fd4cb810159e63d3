// The project's lint rules: typescript-eslint's recommended set (no `any`, no unused code) over harness/ and the
// tests beside the suites and runtimes. `npm run lint` checks; `npm test` runs it first.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '**/node_modules/**', 'runtimes-under-test/*/**', 'harness/testing/fixtures/**', 'reports/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a binding kept on purpose (destructuring a field away, an unused callback parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
);
