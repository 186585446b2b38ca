import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../src/common/package-root.js';
import { formatReport, runSoak } from './soak.js';
import { startSoakServer } from './soak-server.js';

// `npm run soak -- --minutes 10 [--clients 4] [--only ask,recall]`: the built server in its own process under mixed traffic; prints RSS and
// descriptor slopes, /healthz latency and every request's outcome. Exits 1 if any request failed.

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    only: { type: 'string' },
    // The server's JS heap, as a container's memory limit would set it: uncapped, V8 lets garbage pile up to a
    // quarter of RAM before it collects, which reads as growth; capped, a real leak ends the process.
    'node-flags': { type: 'string', default: '--max-old-space-size=512' },
  },
});
const root = packageRoot();
const server = await startSoakServer(
  path.join(root, 'dist/src/main.js'),
  path.join(root, 'test/fixtures/models/tiny-llama/tiny-llama.gguf'),
  { MNEME_RATE_LIMIT_REQUESTS: '100000' },
  values['node-flags'].split(' ').filter(Boolean),
);
try {
  const report = await runSoak(server, {
    durationMs: Number(values.minutes) * 60_000,
    clients: Number(values.clients),
    only: values.only ? new Set(values.only.split(',')) : undefined,
  });
  console.log(formatReport(report));
  await new Promise((r) => setTimeout(r, 5000));
  console.log(`descriptors 5 s after the traffic: ${JSON.stringify(server.descriptors())}`);
  process.exitCode = report.failures.length > 0 ? 1 : 0;
} finally {
  const code = await server.stop();
  console.log(`server stopped (exit ${code})`);
}
