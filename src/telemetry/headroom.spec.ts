import Fastify from 'fastify';
import { ErrorCode } from '../common/error-codes.js';
import { watchPressure } from '../http/server-pressure.js';
import { Headroom } from './headroom.js';

describe('Headroom, fed by @fastify/under-pressure', () => {
  it('lets everything through when both thresholds are off', async () => {
    const headroom = new Headroom({ maxRssBytes: 0, maxEventLoopDelayMs: 0 });
    const fastify = Fastify();
    await watchPressure(fastify, headroom);
    expect(() => headroom.assert('asks')).not.toThrow();
    await fastify.close();
  });

  it('refuses heavy work with OVERLOADED once the process is over its memory threshold, naming it', async () => {
    const headroom = new Headroom({ maxRssBytes: 1, maxEventLoopDelayMs: 0 });
    const fastify = Fastify();
    await watchPressure(fastify, headroom);
    await fastify.ready();
    // @fastify/under-pressure samples once a second.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !refuses(() => headroom.assert('asks')))
      await new Promise((r) => setTimeout(r, 100));
    expect(() => headroom.assert('asks')).toThrow(
      expect.objectContaining({ code: ErrorCode.OVERLOADED, retryAfterSeconds: 5 }),
    );
    expect(() => headroom.assert('media decoding')).toThrow(
      /MNEME_PRESSURE_MAX_RSS_BYTES\); new media decoding is refused/,
    );
    await fastify.close();
  });
});

function refuses(fn: () => void): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}
