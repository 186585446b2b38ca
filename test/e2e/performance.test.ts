import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { KEYS, bearer, postGraphql, spans, startTestApp, type TestApp } from '../support/test-app.js';

// Telemetry that enforces, on the real server: asks produce stage figures; the semantic tier, given a target no
// lookup can meet, breaches, raises an alert over the subscription, and is skipped by the fast path (and said
// so in the answer); /metrics is Prometheus text with the stage histograms.

const ASK = `mutation($input: AskInput!) {
  ask(input: $input) { route { path } memory { skipped degraded warnings used { tier } } }
}`;
const PERFORMANCE = `{ performance { windowSeconds minSamples
  stages { name unit p50 p95 p99 target breached count errorRate } alerts { kind subject firing } } }`;

interface Stage {
  name: string;
  unit: string;
  p50: number;
  p95: number;
  p99: number;
  target: number | null;
  breached: boolean;
  count: number;
  errorRate: number;
}

let server: TestApp;
const gql = (query: string, variables: Record<string, unknown> = {}) =>
  postGraphql(server.url, { query, variables }, bearer(KEYS.alice));
const ask = async (prompt: string, hint: string) => {
  const answer = await gql(ASK, { input: { prompt, hint, maxTokens: 4 } });
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data.ask as {
    route: { path: string };
    memory: { skipped: string[]; warnings: string[]; used: { tier: string }[] };
  };
};
const stages = async () => {
  const result = await gql(PERFORMANCE);
  expect(result.body.errors).toBeUndefined();
  return result.body.data.performance as { windowSeconds: number; stages: Stage[]; alerts: unknown[] };
};

beforeAll(async () => {
  server = await startTestApp({
    MNEME_PERCEPTION_PRELOAD: 'false',
    // A target no semantic lookup meets (1 µs), enough samples after three asks, and a quick check.
    MNEME_SLO_TARGETS: 'memory.semantic=0.001',
    MNEME_SLO_MIN_SAMPLES: '3',
    MNEME_SLO_CHECK_MS: '100',
    MNEME_SLO_SHED_FAST: 'memory.semantic',
    MNEME_ROUTING_FORCE_TENANTS: 'alice', // the hint picks the path
  });
});
afterAll(() => server.close());

describe('performance and SLOs', () => {
  let client: Client | undefined;
  afterAll(async () => client?.dispose());

  it('reports the stages that ran, with plausible counts and figures', async () => {
    for (let i = 0; i < 3; i++) await ask(`What is ${i} plus ${i}?`, 'MEDIUM');
    const perf = await stages();
    expect(perf.windowSeconds).toBe(300);
    const byName = new Map(perf.stages.map((s) => [s.name, s]));
    for (const name of ['ask.medium', 'ttft.medium', 'llm.generate', 'route.decide', 'memory.working']) {
      expect(byName.get(name)).toBeDefined();
    }
    expect(byName.get('ask.medium')).toMatchObject({ count: 3, target: 2000, unit: 'ms', errorRate: 0 });
    // Three asks read and wrote each tier at least once each.
    expect(byName.get('memory.episodic')!.count).toBeGreaterThanOrEqual(6);
    for (const s of perf.stages) {
      expect(s.p50).toBeLessThanOrEqual(s.p95);
      expect(s.p95).toBeLessThanOrEqual(s.p99);
    }
    expect(byName.get('ttft.medium')!.p99).toBeLessThanOrEqual(byName.get('ask.medium')!.p99 * 1.02);
  });

  it('breaches a stage over its target, alerts over the subscription, and skips it on the fast path', async () => {
    client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${KEYS.alice}` },
    });
    const alerts: { kind: string; subject: string; firing: boolean; message: string }[] = [];
    const subscribed = new Promise<void>((resolve, reject) => {
      client!.subscribe(
        { query: 'subscription { alerts { kind subject firing message value threshold } }' },
        {
          next: (msg) => {
            alerts.push((msg.data as { alerts: (typeof alerts)[number] }).alerts);
            resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    const semantic = (await stages()).stages.find((s) => s.name === 'memory.semantic')!;
    expect(semantic).toMatchObject({ target: 0.001, breached: true });
    await Promise.race([
      subscribed,
      new Promise((_, no) => setTimeout(() => no(new Error('no alert')), 5000)),
    ]);
    expect(alerts).toContainEqual(
      expect.objectContaining({ kind: 'LATENCY', subject: 'memory.semantic', firing: true }),
    );
    expect((await stages()).alerts).toContainEqual({
      kind: 'LATENCY',
      subject: 'memory.semantic',
      firing: true,
    });

    // The breach cache refreshes each second.
    await new Promise((r) => setTimeout(r, 1100));
    const fast = await ask('Hi there', 'FAST');
    expect(fast.route.path).toBe('FAST');
    expect(fast.memory.skipped).toEqual(['SEMANTIC']);
    expect(fast.memory.warnings.join(' ')).toMatch(/semantic memory skipped on the fast path/);
    // Other paths still read it.
    const medium = await ask('Hi again', 'MEDIUM');
    expect(medium.memory.skipped).toEqual([]);
  });

  it('serves /metrics as Prometheus text with the stage histograms and gauges, without a key', async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const families = parsePrometheusText(await response.text());
    const duration = families.get('mneme_stage_duration_milliseconds');
    expect(duration?.type).toBe('histogram');
    const stagesSeen = new Set(duration!.samples.map((s) => s.labels.stage));
    for (const stage of ['ask.medium', 'ask.fast', 'memory.semantic', 'llm.generate', 'route.decide']) {
      expect(stagesSeen).toContain(stage);
    }
    const gauge = (name: string, labels: Record<string, string> = {}) =>
      families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(gauge('mneme_stage_breached', { stage: 'memory.semantic' })).toBe(1);
    expect(gauge('mneme_stage_target_milliseconds', { stage: 'ask.fast' })).toBe(500);
    expect(gauge('mneme_stage_p95_milliseconds', { stage: 'ask.medium' })).toBeGreaterThan(0);
    expect(gauge('mneme_llm_queue_depth', { state: 'queued' })).toBe(0);
    expect(gauge('mneme_models_loaded', { kind: 'llm' })).toBe(1);
    expect(gauge('mneme_memory_items', { kind: 'episodes' })).toBeGreaterThanOrEqual(10);
    expect(gauge('mneme_eventloop_delay_p99_milliseconds')).toBeGreaterThan(0);
    // The prompt cache's hit ratio: every ask shares at least the system prompt with the one before.
    expect(gauge('mneme_llm_prompt_cache_tokens_total', { source: 'evaluated' })).toBeGreaterThan(0);
    expect(gauge('mneme_llm_prompt_cache_tokens_total', { source: 'cached' })).toBeGreaterThan(0);
  });

  it('never puts a tenant id or an API key into a span attribute', () => {
    const finished = spans.getFinishedSpans();
    expect(finished.length).toBeGreaterThan(50);
    for (const span of finished) {
      for (const value of Object.values(span.attributes)) {
        expect(String(value)).not.toMatch(/\balice\b|alice-key/);
      }
    }
  });

  it('reads the exposition strictly (a malformed one is refused)', () => {
    const good =
      '# TYPE d histogram\nd_bucket{s="a",le="1"} 1\nd_bucket{s="a",le="+Inf"} 2\nd_sum{s="a"} 3\nd_count{s="a"} 2\n';
    expect(parsePrometheusText(good).get('d')!.samples).toHaveLength(4);
    expect(() => parsePrometheusText(good.replace('d_count{s="a"} 2', 'd_count{s="a"} 3'))).toThrow(/\+Inf/);
    expect(() => parsePrometheusText('x{a="1"} 1\n')).toThrow(/no declared family/);
    expect(() => parsePrometheusText('# TYPE x gauge\nx{a=1} 1\n')).toThrow(/not a sample/);
  });
});
