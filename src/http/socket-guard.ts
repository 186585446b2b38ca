import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import type { ApiKeyAuth } from './api-key-auth.js';

/** What the guard needs of a `ws` WebSocket. */
export interface GuardedSocket {
  close(code?: number, reason?: string): void;
  terminate(): void;
  readonly readyState: number;
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}

export interface SocketLimits {
  initTimeoutMs: number;
  maxTotal: number;
  maxPerKey: number;
}

// graphql-ws close codes (its PROTOCOL.md), and the WebSocket standard's "try again later".
export const CLOSE = {
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  initTimeout: 4408,
  subscriberExists: 4409,
  tooManyInits: 4429,
  tryAgainLater: 1013,
} as const;

const OPEN = 1;
// A peer that never answers our close frame must not hold its descriptor for ws's 30 s close timeout.
const TERMINATE_AFTER_MS = 1000;
// Operations a socket may have sent that have not started yet; more is a client flooding the socket.
const MAX_PENDING_OPERATIONS = 64;

/**
 * Watches every GraphQL WebSocket from its first byte, before Mercurius reads a message: closes a socket that
 * does not send connection_init in time or sends a bad key (graphql-ws 4408 / 4403, the reason naming the
 * code), caps sockets in total and per key, and keeps each operation's variables for the cost check that runs
 * before a subscription executes (Mercurius hands its hooks the document, not the variables).
 */
export class SocketGuard {
  private open = 0;
  /** Upgrades admitted whose handshake has not finished: counted, so concurrent upgrades cannot overrun. */
  private readonly upgrading = new Set<object>();
  private readonly perTenant = new Map<string, number>();
  private readonly tenants = new WeakMap<GuardedSocket, string>();
  private readonly actors = new WeakMap<GuardedSocket, string>();
  private readonly pending = new WeakMap<GuardedSocket, Map<string, Record<string, unknown>>>();

  constructor(
    private readonly auth: ApiKeyAuth,
    private readonly limits: SocketLimits,
  ) {}

  get openSockets(): number {
    return this.open;
  }

  /**
   * At the HTTP upgrade request: OVERLOADED once the server holds (or is opening) its maximum of sockets. The
   * place is held until watch() takes it or releaseUpgrade() gives it back (a failed handshake).
   */
  admitUpgrade(request: object): void {
    if (this.open + this.upgrading.size < this.limits.maxTotal) {
      this.upgrading.add(request);
      return;
    }
    throw new MnemeError(
      ErrorCode.OVERLOADED,
      `The server holds its maximum of ${this.limits.maxTotal} WebSocket connections (MNEME_WS_MAX_CONNECTIONS); retry shortly.`,
      { retryAfterSeconds: 5 },
    );
  }

  releaseUpgrade(request: object): void {
    this.upgrading.delete(request);
  }

  watch(socket: GuardedSocket, request?: object): void {
    if (request) this.upgrading.delete(request);
    this.open++;
    const timer = setTimeout(
      () => this.refuse(socket, CLOSE.initTimeout, 'Connection initialisation timeout'),
      this.limits.initTimeoutMs,
    );
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      this.open--;
      const tenant = this.tenants.get(socket);
      if (tenant !== undefined) this.release(tenant);
    });
    socket.on('message', (data) => {
      const message = parse(data);
      if (!message) return this.refuse(socket, CLOSE.badRequest, 'Invalid message: expected a JSON object');
      if (message.type === 'connection_init') {
        clearTimeout(timer);
        this.authenticate(socket, message.payload);
      } else if (isStart(message)) {
        const problem = this.tenants.has(socket) ? invalidOperation(message.payload) : undefined;
        if (!this.tenants.has(socket)) this.refuse(socket, CLOSE.unauthorized, 'Unauthorized');
        else if (problem) this.refuse(socket, CLOSE.badRequest, `Invalid message: ${problem}`);
        else this.remember(socket, message);
      } else this.forget(socket, message);
    });
  }

  /** The key fingerprint a socket authenticated with, if it did (CallContext.actor). */
  actorOf(socket: GuardedSocket): string | undefined {
    return this.actors.get(socket);
  }

  /** The tenant a socket authenticated as, if it did. */
  tenantOf(socket: GuardedSocket): string | undefined {
    return this.tenants.get(socket);
  }

  /** The variables a client sent with operation `id` (read once). */
  takeVariables(socket: GuardedSocket, id: string): Record<string, unknown> | undefined {
    const operations = this.pending.get(socket);
    const variables = operations?.get(id);
    operations?.delete(id);
    return variables;
  }

  private authenticate(socket: GuardedSocket, payload: unknown): void {
    if (this.tenants.has(socket))
      return this.refuse(socket, CLOSE.tooManyInits, 'Too many initialisation requests');
    let tenant: string;
    let actor: string;
    try {
      ({ tenant, actor } = this.auth.callerFor(authorizationOf(payload)));
    } catch (error) {
      const message = error instanceof Error ? error.message : 'Forbidden';
      return this.refuse(socket, CLOSE.forbidden, `${ErrorCode.UNAUTHENTICATED}: ${message}`);
    }
    const held = this.perTenant.get(tenant) ?? 0;
    if (held >= this.limits.maxPerKey) {
      return this.refuse(
        socket,
        CLOSE.tryAgainLater,
        `${ErrorCode.OVERLOADED}: this key holds ${held} sockets, the most allowed (MNEME_WS_MAX_CONNECTIONS_PER_KEY)`,
      );
    }
    this.perTenant.set(tenant, held + 1);
    this.tenants.set(socket, tenant);
    this.actors.set(socket, actor);
  }

  private remember(socket: GuardedSocket, message: Message): void {
    if (typeof message.id !== 'string')
      return this.refuse(socket, CLOSE.badRequest, 'Invalid message: no id');
    let operations = this.pending.get(socket);
    if (!operations) this.pending.set(socket, (operations = new Map<string, Record<string, unknown>>()));
    if (operations.has(message.id))
      return this.refuse(
        socket,
        CLOSE.subscriberExists,
        `Subscriber for ${message.id.slice(0, 64)} already exists`,
      );
    if (operations.size >= MAX_PENDING_OPERATIONS)
      return this.refuse(
        socket,
        CLOSE.tryAgainLater,
        `${ErrorCode.OVERLOADED}: too many operations waiting to start`,
      );
    const variables = (message.payload as { variables?: unknown }).variables;
    operations.set(message.id, isRecord(variables) ? variables : {});
  }

  private forget(socket: GuardedSocket, message: Message): void {
    if ((message.type === 'complete' || message.type === 'stop') && typeof message.id === 'string')
      this.pending.get(socket)?.delete(message.id);
  }

  private release(tenant: string): void {
    const held = (this.perTenant.get(tenant) ?? 1) - 1;
    if (held <= 0) this.perTenant.delete(tenant);
    else this.perTenant.set(tenant, held);
  }

  private refuse(socket: GuardedSocket, code: number, reason: string): void {
    if (socket.readyState !== OPEN) return;
    // A close reason is at most 123 bytes.
    socket.close(code, Buffer.from(reason).subarray(0, 123).toString());
    setTimeout(() => socket.terminate(), TERMINATE_AFTER_MS).unref();
  }
}

interface Message {
  type?: unknown;
  id?: unknown;
  payload?: unknown;
}

/** An operation starting: `subscribe` in graphql-transport-ws, `start` in the older subscriptions-transport-ws. */
function isStart(message: Message): boolean {
  return message.type === 'subscribe' || message.type === 'start';
}

/** What is wrong with an operation's payload, if anything (graphql-ws: an invalid message closes with 4400). */
function invalidOperation(payload: unknown): string | undefined {
  if (!isRecord(payload)) return 'payload must be an object';
  if (typeof payload.query !== 'string') return 'payload.query must be a string holding a GraphQL document';
  const { variables, operationName } = payload;
  if (variables !== undefined && variables !== null && !isRecord(variables))
    return 'payload.variables must be an object';
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    return 'payload.operationName must be a string';
  return undefined;
}

function parse(data: unknown): Message | undefined {
  try {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Browsers cannot set headers on a WebSocket: the key travels in connection_init as { authorization }. */
function authorizationOf(payload: unknown): string | undefined {
  if (!isRecord(payload)) return undefined;
  const value = payload.authorization ?? payload.Authorization;
  return typeof value === 'string' ? value : undefined;
}
