// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The nine scripts of the custom-database contract (exportUsers optional), one template file each. */
const TEMPLATE_SCRIPTS = [
  'login', 'getUser', 'searchUser', 'createUser', 'updateUser', 'deleteUser', 'listUsers', 'validatePassword',
  'exportUsers',
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'test-artifacts/', 'src/console/dist/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', queueMicrotask: 'readonly', fetch: 'readonly', AbortController: 'readonly',
        AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly',
        structuredClone: 'readonly', globalThis: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The script templates (src/custom-db/templates/<database>/<script>.js) are what an
    // administrator receives: classic scripts the runtime wraps in a function, with only
    // the globals SCRIPTS.md gives a script.
    files: ['src/custom-db/templates/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        env: 'readonly', require: 'readonly', console: 'readonly', global: 'readonly',
        WrongUsernameOrPasswordError: 'readonly', UserNotFoundError: 'readonly', UserExistsError: 'readonly',
        AccountBlockedError: 'readonly',
        fetch: 'readonly', URL: 'readonly', TextEncoder: 'readonly', AbortSignal: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        // The server's own globals above are not promised to a script.
        process: 'off', Buffer: 'off', setImmediate: 'off', queueMicrotask: 'off', AbortController: 'off',
        TextDecoder: 'off', performance: 'off', structuredClone: 'off', globalThis: 'off',
      },
    },
    rules: {
      // `require` is the runtime's allowlisted one, the only way a script loads a driver.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  // In <script>.js only the function named <script> may go unused: the runtime calls it.
  ...TEMPLATE_SCRIPTS.map((script) => ({
    files: [`src/custom-db/templates/*/${script}.js`],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        // Every script has the contract's parameters, `context` included, used or not.
        { varsIgnorePattern: `^${script}$`, args: 'none' },
      ],
    },
  })),
  {
    // CommonJS configuration files of tools (dependency-cruiser).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // The admin console runs in the browser (React + TSX).
    files: ['src/console/**/*.{ts,tsx}', 'test/console/**/*.tsx'],
    languageOptions: {
      parserOptions: { ecmaFeatures: { jsx: true } },
      globals: {
        window: 'readonly', document: 'readonly', location: 'readonly', history: 'readonly', navigator: 'readonly',
        sessionStorage: 'readonly', localStorage: 'readonly', requestAnimationFrame: 'readonly', HTMLElement: 'readonly',
        HTMLInputElement: 'readonly', HTMLButtonElement: 'readonly', HTMLDivElement: 'readonly', Response: 'readonly',
        DOMException: 'readonly', Event: 'readonly', BeforeUnloadEvent: 'readonly',
      },
    },
  },
);
