// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Each external SDK has exactly one adapter file allowed to import it (docs/conventions.md, rule 1).
const sdkAdapters = [
  { name: 'node-llama-cpp', allowedIn: ['src/engines/llm/llama-cpp.adapter.ts'] },
  { name: 'sharp', allowedIn: ['src/engines/image/sharp.adapter.ts'] },
  { name: '@huggingface/transformers', allowedIn: ['src/engines/onnx/transformers.adapter.ts'] },
  { name: 'audio-decode', allowedIn: ['src/engines/audio/audio-decode.adapter.ts'] },
  { name: 'ioredis', allowedIn: ['src/engines/redis/redis-client.ts'] },
  { name: 'rate-limiter-flexible', allowedIn: ['src/engines/rate-limit/rate-limiter.adapter.ts'] },
  { name: 'piscina', allowedIn: ['src/engines/workers/worker-pool.adapter.ts'] },
  { name: 'graphql-query-complexity', allowedIn: ['src/graphql/query-cost.ts'] },
  { name: '@fastify/under-pressure', allowedIn: ['src/http/server-pressure.ts'] },
  { name: '@fastify/websocket', allowedIn: ['src/http/graphql-sockets.ts'] },
  { name: '@lancedb/lancedb', allowedIn: ['src/modules/memory/episodic/lancedb-episode.table.ts'] },
  { name: 'apache-arrow', allowedIn: ['src/modules/memory/episodic/lancedb-episode.table.ts'] },
  { name: 'kuzu', allowedIn: ['src/modules/memory/semantic/kuzu-graph.store.ts'] },
  { name: 'neo4j-driver', allowedIn: ['src/modules/memory/semantic/neo4j-graph.store.ts'] },
  { name: 'hdr-histogram-js', allowedIn: ['src/telemetry/slo/sliding-histogram.ts'] },
  // The OpenTelemetry SDK side (providers, readers, exporters); the API (@opentelemetry/api) is for everyone.
  ...[
    '@opentelemetry/sdk-metrics',
    '@opentelemetry/exporter-prometheus',
    '@opentelemetry/exporter-metrics-otlp-http',
  ].map((name) => ({ name, allowedIn: ['src/telemetry/otel-sdk.ts'] })),
];

const adapterFiles = [...new Set(sdkAdapters.flatMap((s) => s.allowedIn))];

/** The SDKs a file may not import, by name and by subpath (`piscina/dist/...` too). */
function restrictedImports(allowed) {
  const restricted = sdkAdapters.filter((s) => !allowed.has(s));
  const message = (s) => `Only ${s.allowedIn.join(', ')} may import ${s.name}.`;
  return [
    'error',
    {
      paths: restricted.map((s) => ({ name: s.name, message: message(s) })),
      patterns: restricted.map((s) => ({ group: [`${s.name}/*`], message: message(s) })),
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'test/.build/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      'models/**',
      'eslint.config.js',
      'jest.config.js',
      'test/fixtures/**',
      'test/support/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': restrictedImports(new Set()),
    },
  },
  // Each adapter may import its own SDKs, and no other; benchmarks and medium tests measure or check against the
  // raw libraries.
  ...adapterFiles.map((file) => ({
    files: [file],
    rules: {
      'no-restricted-imports': restrictedImports(
        new Set(sdkAdapters.filter((s) => s.allowedIn.includes(file))),
      ),
    },
  })),
  {
    files: ['bench/**/*.ts', 'test/medium/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // Plain-JS child processes the tests spawn: linted, but without type information.
  {
    files: ['test/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { process: 'readonly', AbortController: 'readonly' },
    },
  },
);
