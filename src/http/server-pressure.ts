import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { Headroom } from '../telemetry/headroom.js';

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
  headroom.attachProbe(() => fastify.memoryUsage());
}
