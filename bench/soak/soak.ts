import { seeded } from '../random.js';
import { percentile } from '../llm/stats.js';
import { SOAK_KEYS, type SoakServer } from './soak-server.js';
import { ACTIONS, pick, type Outcome, type Target } from './traffic.js';

export interface SoakOptions {
  durationMs: number;
  /** Clients sending at once, each with its own key. */
  clients: number;
  seed?: number;
  /** Run only these actions (by name); all of them by default. */
  only?: ReadonlySet<string>;
}

export interface SoakReport {
  seconds: number;
  requests: number;
  byAction: Record<string, Record<string, number>>;
  failures: { action: string; why: string }[];
  rss: Trend;
  fds: Trend;
  healthzMs: { p50: number; p99: number; max: number; probes: number };
}

/** A resource over the run: where it started and ended, and its slope over the second half (per minute). */
export interface Trend {
  start: number;
  end: number;
  max: number;
  slopePerMinute: number;
}

/**
 * Mixed traffic against one server for a while: asks, recalls, uploads, subscriptions, disconnects and bad
 * input, from several clients at once, while /healthz is probed and the process's memory and descriptors are
 * sampled each second. Every request must end answered or refused with a code.
 */
export async function runSoak(server: SoakServer, options: SoakOptions): Promise<SoakReport> {
  const targets = Array.from({ length: options.clients }, (_, i) => targetOf(server, i));
  await warmUp(targets, options.only);
  const until = Date.now() + options.durationMs;
  const samples: { at: number; rssBytes: number; fds: number }[] = [];
  const sampler = setInterval(() => samples.push({ at: Date.now(), ...server.sample() }), 1000);
  const healthz: number[] = [];
  const byAction: SoakReport['byAction'] = {};
  const failures: SoakReport['failures'] = [];
  const record = (action: string, outcome: Outcome) => {
    const key = outcome.kind === 'refused' ? `refused:${outcome.code}` : outcome.kind;
    (byAction[action] ??= {})[key] = (byAction[action]?.[key] ?? 0) + 1;
    if (outcome.kind === 'failed') failures.push({ action, why: outcome.why });
  };
  const client = async (index: number) => {
    const random = seeded((options.seed ?? 1) * 100 + index);
    const target = targets[index]!;
    while (Date.now() < until) {
      const action = pick(random, options.only);
      record(action.name, await action.run(target, random));
    }
  };
  const probe = async () => {
    while (Date.now() < until) {
      const started = performance.now();
      await fetch(`${server.url}/healthz`).then((r) => r.arrayBuffer());
      healthz.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const started = Date.now();
  samples.push({ at: started, ...server.sample() });
  await Promise.all([...Array.from({ length: options.clients }, (_, i) => client(i)), probe()]);
  clearInterval(sampler);
  samples.push({ at: Date.now(), ...server.sample() });
  const requests = Object.values(byAction).reduce(
    (n, o) => n + Object.values(o).reduce((a, b) => a + b, 0),
    0,
  );
  return {
    seconds: (Date.now() - started) / 1000,
    requests,
    byAction,
    failures,
    rss: trend(samples.map((s) => [s.at, s.rssBytes / 1024 / 1024])),
    fds: trend(samples.map((s) => [s.at, s.fds])),
    healthzMs: {
      p50: percentile(healthz, 50),
      p99: percentile(healthz, 99),
      max: Math.max(...healthz),
      probes: healthz.length,
    },
  };
}

function targetOf(server: SoakServer, index: number): Target {
  return { url: server.url, wsUrl: server.wsUrl, key: SOAK_KEYS[index % SOAK_KEYS.length]! };
}

/**
 * Every client runs every action once before the baseline is taken, so what opens once and stays (models, worker
 * pools, each tenant's tables) is in the baseline, and what the traffic must give back is what it opened after.
 */
async function warmUp(targets: Target[], only?: ReadonlySet<string>): Promise<void> {
  const random = seeded(0);
  const actions = ACTIONS.filter((a) => !only || only.has(a.name));
  await Promise.all(
    targets.map(async (target) => {
      for (const action of actions) await action.run(target, random);
    }),
  );
}

/**
 * The resource's floor (the lowest sample of each 10 s window: garbage not yet collected and sockets in use come
 * and go, a leak raises the floor), and the least-squares slope of that floor over the second half of the run
 * (the first half is warm-up: models load, caches fill).
 */
function trend(points: [number, number][]): Trend {
  const values = points.map(([, v]) => v);
  const windows = new Map<number, [number, number]>();
  for (const [at, value] of points) {
    const window = Math.floor(at / 10_000);
    const floor = windows.get(window);
    if (!floor || value < floor[1]) windows.set(window, [at, value]);
  }
  const floors = [...windows.values()];
  const half = floors.slice(Math.floor(floors.length / 2));
  const n = half.length;
  const meanX = half.reduce((a, [x]) => a + x, 0) / n;
  const meanY = half.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = half.reduce((a, [x, y]) => a + (x - meanX) * (y - meanY), 0);
  const sxx = half.reduce((a, [x]) => a + (x - meanX) ** 2, 0);
  return {
    start: values[0] ?? 0,
    end: values.at(-1) ?? 0,
    max: Math.max(...values),
    slopePerMinute: sxx === 0 ? 0 : (sxy / sxx) * 60_000,
  };
}

export function formatReport(report: SoakReport): string {
  const round = (n: number) => Math.round(n * 10) / 10;
  const lines = [
    `soak: ${report.requests} requests in ${round(report.seconds)} s, ${report.failures.length} failed`,
    `  RSS MB: start ${round(report.rss.start)}, end ${round(report.rss.end)}, max ${round(report.rss.max)}, ` +
      `floor slope ${round(report.rss.slopePerMinute)} MB/min (second half)`,
    `  open fds: start ${report.fds.start}, end ${report.fds.end}, max ${report.fds.max}, ` +
      `floor slope ${round(report.fds.slopePerMinute)}/min (second half)`,
    `  /healthz ms: p50 ${round(report.healthzMs.p50)}, p99 ${round(report.healthzMs.p99)}, max ${round(report.healthzMs.max)} ` +
      `(${report.healthzMs.probes} probes)`,
    ...Object.entries(report.byAction).map(
      ([action, outcomes]) => `  ${action}: ${JSON.stringify(outcomes)}`,
    ),
    ...report.failures.slice(0, 10).map((f) => `  FAILED ${f.action}: ${f.why}`),
  ];
  return lines.join('\n');
}
