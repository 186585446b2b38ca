import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { SocketGuard } from './socket-guard.js';

// The only file that imports @fastify/websocket (docs/conventions.md rule 1).

/**
 * WebSocket support, registered on the root instance before Mercurius (which then reuses it rather than
 * registering its own in a context we cannot reach), so the socket guard watches every socket from its
 * first byte.
 */
export async function registerGraphqlSockets(
  fastify: FastifyInstance,
  guard: SocketGuard,
  options: { maxPayloadBytes: number },
): Promise<void> {
  await fastify.register(fastifyWebsocket, { options: { maxPayload: options.maxPayloadBytes } });
  fastify.websocketServer.on('connection', (socket, request) => guard.watch(socket, request));
}
