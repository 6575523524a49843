import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/** Request codes of the untyped packets a client sends before its typed messages. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const PROTOCOL_3_0 = 196608;
/** PostgreSQL's own limits (MAX_STARTUP_PACKET_LENGTH, PQ_LARGE_MESSAGE_LIMIT): a longer length is not a client. */
const MAX_STARTUP_LENGTH = 10_000;
const MAX_MESSAGE_LENGTH = 0x3fffffff;
const code = (type: string) => type.charCodeAt(0);
const TERMINATE = code('X');
/**
 * Messages after which a client waits for an answer, so they end a cycle: Sync, simple Query, Flush (node-postgres
 * reads a portal in pages with Execute + Flush), FunctionCall, CopyDone, CopyFail. The others (Parse, Bind,
 * Describe, Execute, Close, CopyData) are buffered until one of them arrives.
 */
const CYCLE_ENDS = new Set(['S', 'Q', 'H', 'F', 'c', 'f'].map(code));
const SYNC = message('S', '');
const ROLLBACK = message('Q', 'ROLLBACK\0');

class Connection {
  started = false;
  closed = false;
  /** Bytes not framed yet, and how many must be there before framing is worth trying again. */
  chunks: Buffer[] = [];
  size = 0;
  needed = 0;
  /** Complete messages of the cycle being received. */
  pending: Buffer[] = [];
  constructor(readonly socket: Socket) {}
}

/**
 * Serves one PGlite instance over the PostgreSQL wire protocol on a Unix socket, to several connections.
 *
 * PGlite is one backend session, so connections take turns, and a turn must be a whole query cycle: the extended
 * protocol keeps the unnamed statement and portal in the session from Parse to Sync. pglite-socket 0.2.17 takes
 * turns per message, so another connection's Parse, Bind or Sync could land in between ("portal does not exist",
 * another query's rows; electric-sql/pglite#1046). Here a connection's messages are framed and run as one batch per
 * cycle (PGlite 0.5.14 answers every message of a concatenated batch in one call), and the session stays with that
 * connection until PGlite answers ReadyForQuery with status idle: during a transaction, or a portal read in pages,
 * the others wait in FIFO order.
 */
export class PGliteWireServer {
  private server?: Server;
  private readonly connections = new Set<Connection>();
  private readonly queue: { conn: Connection; batch: Buffer }[] = [];
  /** The connection the session belongs to until it is idle again. */
  private owner?: Connection;
  private busy = false;
  /** The queue loop running now, for stop() to wait on. */
  private idle: Promise<void> = Promise.resolve();
  /** Set once PGlite's WebAssembly program exited (COPY FROM STDIN does that): any later call would hang. */
  private failure?: string;

  constructor(
    private readonly db: PGlite,
    private readonly path: string,
    private readonly maxConnections: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    await once(server.listen(this.path), 'listening');
    // Later errors (e.g. accept failing without file descriptors) would end the process if unhandled.
    server.on('error', () => undefined);
    this.server = server;
  }

  /** Closes every connection (rolling back an open transaction), then stops listening. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const conn of this.connections) this.close(conn);
    await this.idle;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined);
    if (!this.server) return void socket.destroy(); // stopping
    if (this.failure || this.connections.size >= this.maxConnections) {
      // Refused as PostgreSQL refuses: a FATAL ErrorResponse, which the client reports as the reason.
      const [state, reason] = this.failure
        ? ['58000', this.failure]
        : ['53300', 'sorry, too many clients already'];
      socket.end(message('E', `SFATAL\0VFATAL\0C${state}\0M${reason}\0\0`), () => socket.destroy());
      return;
    }
    const conn = new Connection(socket);
    this.connections.add(conn);
    socket.on('data', (chunk: Buffer) => this.receive(conn, chunk));
    socket.on('drain', () => socket.resume());
    socket.on('close', () => this.close(conn));
    socket.on('error', () => this.close(conn));
  }

  /** Frames what arrived and queues complete cycles. A malformed length closes the connection. */
  private receive(conn: Connection, chunk: Buffer): void {
    if (conn.closed) return;
    conn.chunks.push(chunk);
    conn.size += chunk.length;
    if (conn.size < conn.needed) return; // a large message still arriving: no concatenation per chunk
    const data = conn.chunks.length === 1 ? chunk : Buffer.concat(conn.chunks);
    let offset = 0;
    for (;;) {
      const available = data.length - offset;
      if (!conn.started) {
        // SSLRequest, GSSENCRequest, CancelRequest and the startup packet: int32 length, int32 code, no type byte.
        if (available < 8) break;
        const length = data.readInt32BE(offset);
        if (length < 8 || length > MAX_STARTUP_LENGTH) return this.close(conn);
        if (available < length) break;
        const request = data.readInt32BE(offset + 4);
        const packet = data.subarray(offset, (offset += length));
        if (request === SSL_REQUEST || request === GSSENC_REQUEST) {
          conn.socket.write('N'); // no encryption on a private local socket; the client goes on in plain text
          continue;
        }
        // A CancelRequest is refused too: PGlite runs a query synchronously, nothing could interrupt it.
        if (request !== PROTOCOL_3_0) return this.close(conn);
        conn.started = true;
        this.enqueue(conn, [packet]); // alone: PGlite recognises a startup packet by its first byte only
        continue;
      }
      if (available < 5) break;
      const length = data.readInt32BE(offset + 1);
      if (length < 4 || length > MAX_MESSAGE_LENGTH) return this.close(conn);
      if (available < 1 + length) break;
      const type = data[offset] ?? 0;
      conn.pending.push(data.subarray(offset, (offset += 1 + length)));
      // Terminate: clients send it alone after their last answer; what they left open is rolled back.
      if (type === TERMINATE) return this.close(conn);
      if (CYCLE_ENDS.has(type)) this.enqueue(conn, conn.pending.splice(0));
    }
    const rest = data.subarray(offset);
    const [header, lengthAt] = conn.started ? [5, 1] : [8, 0];
    conn.chunks = rest.length > 0 ? [rest] : [];
    conn.size = rest.length;
    conn.needed = rest.length < header ? header : lengthAt + rest.readInt32BE(lengthAt);
  }

  private enqueue(conn: Connection, messages: Buffer[]): void {
    this.queue.push({ conn, batch: Buffer.concat(messages) });
    this.schedule();
  }

  private schedule(): void {
    if (!this.busy) this.idle = this.runQueue();
  }

  /** Runs queued cycles one at a time: the owner's if there is one, else the oldest. Ends when none may run. */
  private async runQueue(): Promise<void> {
    this.busy = true;
    try {
      for (;;) {
        if (this.owner?.closed) await this.reset();
        const index = this.owner ? this.queue.findIndex((cycle) => cycle.conn === this.owner) : 0;
        const cycle = index >= 0 ? this.queue.splice(index, 1)[0] : undefined;
        if (!cycle) return;
        await this.run(cycle.conn, cycle.batch);
      }
    } finally {
      // Runs synchronously with the return above, so an enqueue never finds a loop that is already leaving.
      this.busy = false;
    }
  }

  private async run(conn: Connection, batch: Buffer): Promise<void> {
    let tail = Buffer.alloc(0);
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(batch, {
          onRawData: (data) => {
            const copy = Buffer.from(data); // a view into PGlite's memory, overwritten by the next call
            tail = Buffer.concat([tail, copy.subarray(-6)]).subarray(-6);
            // Backpressure: a client that does not read its answers sends no more cycles until it catches up.
            if (!conn.closed && !conn.socket.write(copy)) conn.socket.pause();
          },
        }),
      );
    } catch (error) {
      this.check(error);
      this.close(conn); // e.g. a startup packet PGlite refused
      this.owner = conn; // closed: the queue resets the session before anyone else runs
      return;
    }
    // ReadyForQuery ('Z', length 5) with status idle ('I') is the only point where the session may change hands.
    const ready = tail.length === 6 && tail[0] === code('Z') && tail.readInt32BE(1) === 5;
    this.owner = ready && tail[5] === code('I') && !this.db.isInTransaction() ? undefined : conn;
  }

  /**
   * The owner left in the middle of a cycle or a transaction (as pglite-socket's clearTransactionIfNeeded): Sync
   * ends its cycle and an error state that ignores messages until Sync, ROLLBACK its transaction.
   */
  private async reset(): Promise<void> {
    this.owner = undefined;
    if (this.failure) return;
    const discard = { onRawData: () => undefined };
    await this.db
      .runExclusive(async () => {
        await this.db.execProtocolRawStream(SYNC, discard);
        if (this.db.isInTransaction()) await this.db.execProtocolRawStream(ROLLBACK, discard);
      })
      .catch((error: unknown) => this.check(error));
  }

  /** PGlite throws ExitStatus (not an Error) when its program exited: then it is gone for good. */
  private check(error: unknown): void {
    const { name, message } = (error ?? {}) as { name?: string; message?: string };
    if (name !== 'ExitStatus') return;
    this.failure = `the embedded database stopped (${message ?? 'PGlite exited'}); restart the gateway`;
    for (const conn of this.connections) this.close(conn);
  }

  /** Idempotent. Drops the connection's queued cycles; if it owned the session, the queue resets that. */
  private close(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    this.connections.delete(conn);
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]?.conn === conn) this.queue.splice(i, 1);
    conn.socket.destroy();
    if (this.owner === conn) this.schedule();
  }
}

function message(type: string, body: string): Buffer {
  const header = Buffer.alloc(5);
  header[0] = code(type);
  header.writeInt32BE(4 + Buffer.byteLength(body), 1);
  return Buffer.concat([header, Buffer.from(body)]);
}
