import { EventEmitter } from 'node:events';
import { ApiKeyAuth } from './api-key-auth.js';
import { CLOSE, SocketGuard, type GuardedSocket } from './socket-guard.js';

/** A socket that records how it was closed; messages are emitted by the test. */
class FakeSocket extends EventEmitter implements GuardedSocket {
  readyState = 1;
  closed: { code: number; reason: string } | undefined;
  terminated = false;

  close(code: number, reason: string): void {
    this.closed = { code, reason };
    this.readyState = 2;
    setImmediate(() => this.emit('close'));
  }

  terminate(): void {
    this.terminated = true;
  }

  send(message: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(message)), false);
  }
}

const auth = new ApiKeyAuth(new Map([['alice-key-0001', 'alice']]));
const limits = { initTimeoutMs: 50, maxTotal: 3, maxPerKey: 2 };
const init = (socket: FakeSocket, key: string) =>
  socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } });

describe('SocketGuard', () => {
  it('authenticates connection_init and remembers the tenant', () => {
    const guard = new SocketGuard(auth, limits);
    const socket = new FakeSocket();
    guard.watch(socket);
    init(socket, 'alice-key-0001');
    expect(guard.tenantOf(socket)).toBe('alice');
    expect(socket.closed).toBeUndefined();
  });

  it('closes a socket with a bad key with 4403 naming UNAUTHENTICATED', () => {
    const guard = new SocketGuard(auth, limits);
    const socket = new FakeSocket();
    guard.watch(socket);
    init(socket, 'wrong-key-0001');
    expect(socket.closed).toEqual({ code: CLOSE.forbidden, reason: 'UNAUTHENTICATED: Invalid API key.' });
    expect(guard.tenantOf(socket)).toBeUndefined();
  });

  it('closes a socket that never initialises with 4408', async () => {
    const guard = new SocketGuard(auth, limits);
    const socket = new FakeSocket();
    guard.watch(socket);
    await new Promise((r) => setTimeout(r, 80));
    expect(socket.closed?.code).toBe(CLOSE.initTimeout);
  });

  it('refuses a second connection_init with 4429, and a subscribe before one with 4401', () => {
    const guard = new SocketGuard(auth, limits);
    const twice = new FakeSocket();
    guard.watch(twice);
    init(twice, 'alice-key-0001');
    init(twice, 'alice-key-0001');
    expect(twice.closed?.code).toBe(CLOSE.tooManyInits);
    const early = new FakeSocket();
    guard.watch(early);
    early.send({ id: '1', type: 'subscribe', payload: { query: '{ a }' } });
    expect(early.closed?.code).toBe(CLOSE.unauthorized);
  });

  it('caps sockets per key and frees the place when one closes', async () => {
    const guard = new SocketGuard(auth, limits);
    const [a, b, c] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    for (const s of [a, b, c]) {
      guard.watch(s);
      init(s, 'alice-key-0001');
    }
    expect(c.closed?.code).toBe(CLOSE.tryAgainLater);
    a.close(1000, 'bye');
    await new Promise((r) => setImmediate(r));
    const d = new FakeSocket();
    guard.watch(d);
    init(d, 'alice-key-0001');
    expect(d.closed).toBeUndefined();
  });

  it('refuses the upgrade once the server holds its maximum, and counts closed sockets out', async () => {
    const guard = new SocketGuard(auth, limits);
    const sockets = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    for (const s of sockets) guard.watch(s);
    expect(() => guard.admitUpgrade({})).toThrow(expect.objectContaining({ code: 'OVERLOADED' }));
    sockets[0]!.close(1000, 'bye');
    await new Promise((r) => setImmediate(r));
    expect(() => guard.admitUpgrade({})).not.toThrow();
    expect(guard.openSockets).toBe(2);
  });

  it('holds a place for each admitted upgrade, so concurrent upgrades cannot overrun the maximum', () => {
    const guard = new SocketGuard(auth, limits);
    const [a, b, c, d] = [{}, {}, {}, {}];
    for (const request of [a, b, c]) guard.admitUpgrade(request);
    expect(() => guard.admitUpgrade(d)).toThrow(expect.objectContaining({ code: 'OVERLOADED' }));
    guard.releaseUpgrade(a); // its handshake failed
    guard.watch(new FakeSocket(), b); // its handshake succeeded: the place becomes a socket
    expect(() => guard.admitUpgrade(d)).not.toThrow();
    expect(() => guard.admitUpgrade({})).toThrow(expect.objectContaining({ code: 'OVERLOADED' }));
  });

  it('keeps an operation’s variables for the cost check, once, and closes on a malformed payload', () => {
    const guard = new SocketGuard(auth, limits);
    const socket = new FakeSocket();
    guard.watch(socket);
    init(socket, 'alice-key-0001');
    socket.send({
      id: '7',
      type: 'subscribe',
      payload: { query: 'subscription { a }', variables: { n: 2 } },
    });
    expect(guard.takeVariables(socket, '7')).toEqual({ n: 2 });
    expect(guard.takeVariables(socket, '7')).toBeUndefined();
    socket.send({ id: '8', type: 'subscribe', payload: { query: { kind: 'Document' } } });
    expect(socket.closed?.code).toBe(CLOSE.badRequest);
  });

  it('closes a socket that reuses the id of an operation not yet started (4409)', () => {
    const guard = new SocketGuard(auth, limits);
    const socket = new FakeSocket();
    guard.watch(socket);
    init(socket, 'alice-key-0001');
    socket.send({
      id: '1',
      type: 'subscribe',
      payload: { query: 'subscription { a }', variables: { n: 1 } },
    });
    socket.send({
      id: '1',
      type: 'subscribe',
      payload: { query: 'subscription { a }', variables: { n: 9 } },
    });
    expect(socket.closed?.code).toBe(CLOSE.subscriberExists);
    expect(guard.takeVariables(socket, '1')).toEqual({ n: 1 });
  });
});
