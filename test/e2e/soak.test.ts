import path from 'node:path';
import { formatReport, runSoak, type SoakReport } from '../../bench/soak/soak.js';
import { startSoakServer, type SoakServer } from '../../bench/soak/soak-server.js';
import { buildForChildren } from '../support/build-for-children.js';
import { FIXTURE_LLM } from '../support/test-app.js';

// The 15-second soak (issue #14; `npm run soak` runs ten minutes): the built server in its own process under mixed
// traffic. Every request is answered or refused with a code, and what the traffic opened is given back.

let server: SoakServer;
let report: SoakReport;

beforeAll(async () => {
  const src = buildForChildren();
  server = await startSoakServer(path.join(src, 'main.js'), FIXTURE_LLM, {
    MNEME_RATE_LIMIT_REQUESTS: '100000',
  });
  report = await runSoak(server, { durationMs: 15_000, clients: 4 });
  console.log(formatReport(report));
}, 240_000);

afterAll(async () => {
  expect(await server.stop()).toBe(0);
}, 30_000);

describe('a quarter minute of mixed traffic against one server process', () => {
  it('answers or refuses with a code every request of every kind', () => {
    expect(report.failures).toEqual([]);
    expect(report.requests).toBeGreaterThan(50);
    for (const action of ['ask', 'recall', 'upload-image', 'transcribe', 'ask-stream', 'bad-input']) {
      expect(Object.keys(report.byAction[action] ?? {})).not.toEqual([]);
    }
  });

  it('gives back the descriptors the traffic opened once it stops', async () => {
    const settled = Date.now() + 15_000;
    while (server.sample().fds > report.fds.start + 10 && Date.now() < settled)
      await new Promise((r) => setTimeout(r, 250));
    expect(server.sample().fds).toBeLessThanOrEqual(report.fds.start + 10);
  });

  it('keeps its memory within bounds (`npm run soak` measures ten minutes and reports the slope)', () => {
    expect(report.rss.max).toBeLessThan(1.5 * 1024);
  });

  it('keeps /healthz answering throughout', () => {
    expect(report.healthzMs.probes).toBeGreaterThan(25);
    expect(report.healthzMs.max).toBeLessThan(1000);
  });
});
