import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { Headroom, PressureReading } from '../telemetry/headroom.js';

// The only file that imports @fastify/under-pressure (docs/conventions.md rule 1).

/**
 * Samples resident memory and event-loop delay each second with @fastify/under-pressure and hands the readings
 * to the Headroom guard. Nothing is refused wholesale here: heavy work asks Headroom, so /healthz and cheap reads
 * keep answering under pressure.
 */
export async function watchPressure(fastify: FastifyInstance, headroom: Headroom): Promise<void> {
  if (!headroom.enabled) return;
  await fastify.register(underPressure, {
    maxRssBytes: headroom.limits.maxRssBytes,
    maxEventLoopDelay: headroom.limits.maxEventLoopDelayMs,
    sampleInterval: 1000,
    pressureHandler: () => undefined,
  });
  headroom.attachProbe(() => measuredReading(fastify.memoryUsage()));
  fastify.addHook('onClose', (_instance, done) => {
    headroom.detach();
    done();
  });
}

/**
 * under-pressure reports an event-loop delay of Infinity when its histogram took no sample in the interval: its
 * own timer ran first after a long block (startup's module loading does it), and the block is sampled into the
 * next reading. Infinity is "not measured yet", not "stuck": read as no delay, or every heavy request of the
 * next second is refused.
 */
export function measuredReading(reading: PressureReading): PressureReading {
  return Number.isFinite(reading.eventLoopDelay) ? reading : { ...reading, eventLoopDelay: 0 };
}
