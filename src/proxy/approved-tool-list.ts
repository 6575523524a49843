import { Injectable } from '@nestjs/common';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { Principal } from '../common/principal.js';
import type { JsonRpcId, JsonRpcMessage } from '../common/jsonrpc.js';
import { acceptsGzip, GzipWithTail } from '../common/http/gzip-with-tail.js';
import { MODERN_REVISION, type RegisteredServer, ToolPolicy } from '../registry/index.js';

/** Where a 2026-07-28 result names the server that answered (the SDK stamps every result with it). */
const SERVER_INFO_META = 'io.modelcontextprotocol/serverInfo';
/** Distinct (revision, roles) lists kept per server; more role combinations than this are rare and rebuilt. */
const MAX_LISTS_PER_SERVER = 64;
/** Smaller answers go plain: compressing them saves less than its headers and the client's inflating cost. */
const MIN_GZIP_BYTES = 8 * 1024;
const MAX_GZIP_TAIL_BYTES = 0xffff;

/** A tools/list answer: the body, and whether it is gzip-encoded. */
export interface ListAnswer {
  body: Buffer;
  gzip: boolean;
}

/**
 * One caller's list, ready to send: everything up to the request id (`{"jsonrpc":"2.0","result":{...},"id":`), which
 * each answer completes, encoded once and gzip-compressed once when a client first accepts it.
 */
class EncodedList {
  private compressed?: GzipWithTail;

  constructor(private readonly head: Buffer) {}

  answer(id: JsonRpcId, acceptEncoding: string | undefined): ListAnswer {
    const tail = Buffer.from(`${JSON.stringify(id)}}`);
    // A tail longer than a stored block (an absurd id) goes plain too. The header is read last: most lists are small.
    if (
      this.head.length < MIN_GZIP_BYTES ||
      tail.length > MAX_GZIP_TAIL_BYTES ||
      !acceptsGzip(acceptEncoding)
    ) {
      return { body: Buffer.concat([this.head, tail], this.head.length + tail.length), gzip: false };
    }
    this.compressed ??= new GzipWithTail(this.head);
    return { body: this.compressed.with(tail), gzip: true };
  }
}

/**
 * `tools/list` answered by the gateway from the registry instead of the upstream. What the caller is shown never
 * came from the upstream's live answer anyway: the relay replaced every listed tool by its approved definition and
 * dropped the rest, so the upstream's answer only said which approved tools it still offered, which the health check
 * records every interval (ToolPolicy.listedTools). Answering here saves the upstream round trip and, for a server
 * with hundreds of tools, parsing and re-serialising a large list on every call: the list is encoded (and, for
 * clients that accept gzip, compressed) once per registry change, revision and role set. `/federated/mcp` has always
 * listed tools this way. ADR 0015.
 */
@Injectable()
export class ApprovedToolLists {
  private readonly lists = new WeakMap<RegisteredServer, Map<string, EncodedList | null>>();

  /**
   * The answer to `message`, or undefined when the upstream must answer: not a lone first-page `tools/list`, a
   * protocol revision the gateway does not know (the upstream refuses it as it sees fit), or a server whose list only
   * the upstream knows. `acceptEncoding`: the request's Accept-Encoding (a large list goes gzip-encoded if it allows).
   */
  answer(
    server: RegisteredServer,
    principal: Principal,
    message: JsonRpcMessage,
    revision: string | undefined,
    acceptEncoding?: string,
  ): ListAnswer | undefined {
    if (message.method !== 'tools/list' || message.id === undefined || message.id === null) return undefined;
    // A cursor comes from an upstream's page (the gateway's own answer is one page): the upstream resolves it.
    if (message.params?.cursor !== undefined) return undefined;
    if (
      revision !== undefined &&
      revision !== MODERN_REVISION &&
      !SUPPORTED_PROTOCOL_VERSIONS.includes(revision)
    )
      return undefined;
    return this.listFor(server, principal, revision)?.answer(message.id, acceptEncoding);
  }

  private listFor(server: RegisteredServer, principal: Principal, revision: string | undefined) {
    let byCaller = this.lists.get(server);
    if (!byCaller) {
      byCaller = new Map();
      this.lists.set(server, byCaller);
    }
    const key = `${revision ?? ''}|${principal.roles.join(',')}`;
    const cached = byCaller.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const tools = new ToolPolicy(server, principal).listedTools(revision);
    const result =
      tools === undefined
        ? undefined
        : revision === MODERN_REVISION
          ? {
              tools,
              resultType: 'complete',
              // Who may call what changes with approvals and role rules: clients are not to keep it.
              ttlMs: 0,
              cacheScope: 'private',
              ...(server.serverInfo ? { _meta: { [SERVER_INFO_META]: server.serverInfo } } : {}),
            }
          : { tools };
    // The id goes last, so that everything before it is the same for every answer.
    const list =
      result && new EncodedList(Buffer.from(`{"jsonrpc":"2.0","result":${JSON.stringify(result)},"id":`));
    if (byCaller.size >= MAX_LISTS_PER_SERVER) byCaller.clear();
    byCaller.set(key, list ?? null);
    return list;
  }
}
