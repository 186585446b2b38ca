import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { loadConfig } from '../../src/config/app-config.js';
import { TextEmbedderService } from '../../src/modules/embedding/text-embedder.service.js';
import { LearnedRouter } from '../../src/modules/routing/learned-router.js';
import { parseLabelled, trainRouter } from '../../src/modules/routing/router-training.js';
import { postGraphql, startTestApp } from '../support/test-app.js';

const ASK = `mutation($input: AskInput!) { ask(input: $input) { route { path reason scores { fast medium deep } } } }`;

describe('learned router', () => {
  let routerFile: string;
  let accuracy: number;

  beforeAll(async () => {
    // Train on the labelled set with the bundled embedder, as `npm run router:train` does.
    const embedder = new TextEmbedderService(loadConfig({ MNEME_LOG_LEVEL: 'error' }), new ModelCatalog());
    const { name, dims } = await embedder.identity();
    const rows = parseLabelled(readFileSync('bench/routing/labelled.jsonl', 'utf8'), 'labelled.jsonl');
    const report = await trainRouter(rows, (t) => embedder.embed(t), `${name}:${dims}`);
    await embedder.onApplicationShutdown();
    accuracy = report.file.heldOut.accuracy;
    routerFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'mneme-router-')), 'router.json');
    writeFileSync(routerFile, JSON.stringify(report.file));
  });

  it('learns something the rules do not: beats chance on held-out requests', () => {
    expect(accuracy).toBeGreaterThan(0.5); // three balanced classes: chance is 1/3
  });

  it('refuses a router trained with another embedder, naming both', () => {
    expect(() => LearnedRouter.load(routerFile, 'all-MiniLM-L6-v2:384')).toThrow(
      /trained with the tiny-bert:\d+ text embedder, but all-MiniLM-L6-v2:384 is configured; retrain/,
    );
  });

  it('routes asks through the server with it, probabilities as scores, rules when unsure', async () => {
    const server = await startTestApp({ MNEME_PERCEPTION_PRELOAD: 'false', MNEME_ROUTER_MODEL: routerFile });
    try {
      const { body } = await postGraphql(server.url, {
        query: ASK,
        variables: { input: { prompt: 'Thanks, that was helpful!', maxTokens: 4 } },
      });
      const route = (body as { data: { ask: { route: { reason: string; scores: Record<string, number> } } } })
        .data.ask.route;
      expect(route.reason).toMatch(/^learned router \(p=[01]\.\d\d\)|learned router unsure/);
      if (route.reason.startsWith('learned')) {
        const total = route.scores.fast! + route.scores.medium! + route.scores.deep!;
        expect(total).toBeCloseTo(1, 2);
      }
    } finally {
      await server.close();
    }
  });

  it('defers to the rules for everything when the confidence floor is 1', async () => {
    const server = await startTestApp({
      MNEME_PERCEPTION_PRELOAD: 'false',
      MNEME_ROUTER_MODEL: routerFile,
      MNEME_ROUTER_MIN_CONFIDENCE: '1',
      // The route as decided, not as escalated after an unsure (noise) answer.
      MNEME_ROUTING_PATHS: '{"fast":{"escalate":false}}',
    });
    try {
      const { body } = await postGraphql(server.url, {
        query: ASK,
        variables: { input: { prompt: 'Hi', maxTokens: 4 } },
      });
      const route = (body as { data: { ask: { route: { path: string; reason: string } } } }).data.ask.route;
      expect(route.path).toBe('FAST');
      expect(route.reason).toMatch(/^short, no reasoning cues; learned router unsure \(p=[01]\.\d\d\)$/);
    } finally {
      await server.close();
    }
  });
});
