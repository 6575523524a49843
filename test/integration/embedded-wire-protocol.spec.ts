import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool, type PoolClient, type QueryConfig } from 'pg';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';

/**
 * The embedded database is one PGlite backend session shared by a pool of wire connections. These specs drive it
 * the way TypeORM does (node-postgres, extended protocol, concurrent pool) and check that no connection ever sees
 * another's statement, portal, transaction or result.
 */
describe('embedded PGlite over the wire, concurrently', () => {
  const POOL_SIZE = 10;
  let dataDir: string;
  let embedded: EmbeddedPostgres;
  let pool: Pool;

  const clientConfig = () => ({ ...embedded.endpoint });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mreg-pglite-wire-'));
    embedded = await EmbeddedPostgres.start(dataDir, POOL_SIZE + 4);
    pool = new Pool({ ...clientConfig(), max: POOL_SIZE });
    // Errors of idle clients (a connection the server closed) must not fail the run as unhandled events.
    pool.on('error', () => undefined);
    await pool.query('CREATE TABLE work (tag text NOT NULL, n int NOT NULL)');
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** BEGIN, one parameterized query, COMMIT on one pooled connection: other connections wait meanwhile. */
  const inTransaction = async <T>(work: (client: PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  const selectN = (client: Pool | PoolClient, n: number) =>
    client.query<{ n: number }>('SELECT $1::int AS n, pg_sleep(0)', [n]).then((result) => result.rows[0]?.n);

  it('answers 500 concurrent parameterized queries, some in transactions, each with its own parameter', async () => {
    // Transactions make the other connections queue up; pglite-socket 0.2.17 then interleaved their Parse, Bind,
    // Execute and Sync messages (wrong rows, "portal does not exist", "unnamed prepared statement does not exist").
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, n) =>
        (n % 5 === 0 ? inTransaction((client) => selectN(client, n)) : selectN(pool, n)).catch(
          (error: Error) => error.message,
        ),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 500 }, (_, n) => n));
  });

  it('keeps concurrent transactions isolated: each sees only its own uncommitted work, and all commit', async () => {
    const transaction = (tag: string) =>
      inTransaction(async (client) => {
        for (let n = 0; n < 3; n++) await client.query('INSERT INTO work (tag, n) VALUES ($1, $2)', [tag, n]);
        // Rows written by this very transaction: exactly its own three.
        const mine = await client.query<{ tag: string }>(
          'SELECT tag FROM work WHERE xmin = pg_current_xact_id()::xid ORDER BY n',
        );
        const visible = await client.query<{ count: string }>('SELECT count(*) FROM work WHERE tag = $1', [
          tag,
        ]);
        return { tags: mine.rows.map((row) => row.tag), visible: Number(visible.rows[0]?.count) };
      });
    const tags = Array.from({ length: 30 }, (_, i) => `tx-${i}`);
    const [results, plain] = await Promise.all([
      Promise.all(tags.map((tag) => transaction(tag))),
      Promise.all(Array.from({ length: 100 }, (_, n) => selectN(pool, n))),
    ]);
    results.forEach((result, i) => expect(result).toEqual({ tags: Array(3).fill(tags[i]), visible: 3 }));
    expect(plain).toEqual(Array.from({ length: 100 }, (_, n) => n));
    const committed = await pool.query<{ tag: string; count: string }>(
      "SELECT tag, count(*) FROM work WHERE tag LIKE 'tx-%' GROUP BY tag",
    );
    expect(committed.rows).toHaveLength(30);
    expect(committed.rows.every((row) => row.count === '3')).toBe(true);
  });

  it('frames messages larger than one socket read (300 kB parameters) among small ones', async () => {
    const big = 'x'.repeat(300_000);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        pool
          .query<{ n: number; len: number }>('SELECT $1::int AS n, length($2::text) AS len', [
            n,
            n % 2 ? big : 'y',
          ])
          .then((result) => result.rows[0]),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 40 }, (_, n) => ({ n, len: n % 2 ? big.length : 1 })));
  });

  it('rolls back the transaction of a client that disconnects in its middle, without blocking the others', async () => {
    const leave = async (tag: string, how: 'terminate' | 'reset') => {
      const client = new Client(clientConfig());
      client.on('error', () => undefined);
      await client.connect();
      await client.query('BEGIN');
      await client.query('INSERT INTO work (tag, n) VALUES ($1, 0)', [tag]);
      // 'terminate' sends a Terminate message; 'reset' drops the socket as a crashed process would.
      if (how === 'terminate') await client.end();
      else (client as unknown as { connection: { stream: Socket } }).connection.stream.destroy();
    };
    const others = Array.from({ length: 50 }, (_, n) =>
      pool.query<{ n: number }>('SELECT $1::int AS n', [n]).then((result) => result.rows[0]?.n),
    );
    await Promise.all([leave('gone-1', 'terminate'), leave('gone-2', 'reset')]);
    expect(await Promise.all(others)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    const after = await pool.query<{ count: string }>("SELECT count(*) FROM work WHERE tag LIKE 'gone-%'");
    expect(after.rows[0]?.count).toBe('0');
    expect((await pool.query<{ n: number }>('SELECT $1::int AS n', [7])).rows[0]?.n).toBe(7);
  });

  it('keeps a portal read in pages (Execute with a row limit + Flush) to its connection while others query', async () => {
    // node-postgres honours `rows` (Execute with a limit, then Flush per page) though its types do not declare it.
    const inPagesOf2 = (count: number): QueryConfig =>
      ({ text: 'SELECT generate_series(1, $1::int) AS g', values: [count], rows: 2 }) as QueryConfig;
    const paged = Array.from({ length: 10 }, (_, i) =>
      pool.query<{ g: number }>(inPagesOf2(i + 3)).then((result) => result.rows.map((row) => row.g)),
    );
    const plain = Array.from({ length: 50 }, (_, n) => selectN(pool, n));
    const pages = await Promise.all(paged);
    pages.forEach((rows, i) => expect(rows).toEqual(Array.from({ length: i + 3 }, (_, g) => g + 1)));
    expect(await Promise.all(plain)).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });

  it('closes a connection that sends a malformed message length, and only that one', async () => {
    const endpoint = embedded.endpoint;
    const socket = connect(join(endpoint.host, `.s.PGSQL.${endpoint.port}`));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    const startup = Buffer.from(`\0\0\0\0\0\x03\0\0user\0postgres\0database\0postgres\0\0`, 'latin1');
    startup.writeInt32BE(startup.length, 0);
    socket.write(startup);
    // A Query message claiming a length of 2 (less than its own length field).
    socket.write(Buffer.from([0x51, 0, 0, 0, 2]));
    await closed;
    expect((await pool.query<{ n: number }>('SELECT $1::int AS n', [42])).rows[0]?.n).toBe(42);
  });

  it("refuses connections beyond its maximum with PostgreSQL's error, and keeps serving the others", async () => {
    const extra: Client[] = [];
    let refused: Error | undefined;
    try {
      for (let i = 0; i < POOL_SIZE + 5 && !refused; i++) {
        const client = new Client(clientConfig());
        client.on('error', () => undefined);
        await client.connect().then(
          () => extra.push(client),
          (error: Error) => (refused = error),
        );
      }
    } finally {
      await Promise.all(extra.map((client) => client.end()));
    }
    expect(refused?.message).toMatch(/too many clients/);
    expect(await selectN(pool, 9)).toBe(9);
  });

  it('still serves a transaction held across pool checkouts while other clients wait their turn', async () => {
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('INSERT INTO work (tag, n) VALUES ($1, 0)', ['held']);
      let otherDone = false;
      const other = pool
        .query<{ count: string }>("SELECT count(*) FROM work WHERE tag = 'held'")
        .then((result) => {
          otherDone = true;
          return result.rows[0]?.count;
        });
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The backend is one session: the other query waits until the transaction ends, then sees its outcome.
      expect(otherDone).toBe(false);
      await holder.query('COMMIT');
      expect(await other).toBe('1');
    } finally {
      holder.release();
    }
  });
});

describe('embedded PGlite after PGlite itself stopped', () => {
  it('fails its connections and refuses new ones instead of hanging (COPY FROM STDIN ends PGlite 0.5.14)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mreg-pglite-wire-'));
    const embedded = await EmbeddedPostgres.start(dataDir, 4);
    try {
      const client = new Client({ ...embedded.endpoint });
      client.on('error', () => undefined);
      await client.connect();
      await client.query('CREATE TABLE t (x int)');
      await expect(client.query('COPY t FROM STDIN')).rejects.toThrow();
      const late = new Client({ ...embedded.endpoint });
      late.on('error', () => undefined);
      await expect(late.connect()).rejects.toThrow(/embedded database stopped/);
    } finally {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
