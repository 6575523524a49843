import { Injectable } from '@nestjs/common';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { Principal } from '../common/principal.js';
import type { JsonRpcMessage } from '../common/jsonrpc.js';
import { MODERN_REVISION, type RegisteredServer, ToolPolicy } from '../registry/index.js';

/** Where a 2026-07-28 result names the server that answered (the SDK stamps every result with it). */
const SERVER_INFO_META = 'io.modelcontextprotocol/serverInfo';
/** Distinct (revision, roles) lists kept per server; more role combinations than this are rare and rebuilt. */
const MAX_LISTS_PER_SERVER = 64;
const CLOSING_BRACE = Buffer.from('}');

/**
 * `tools/list` answered by the gateway from the registry instead of the upstream. What the caller is shown never
 * came from the upstream's live answer anyway: the relay replaced every listed tool by its approved definition and
 * dropped the rest, so the upstream's answer only said which approved tools it still offered, which the health check
 * records every interval (ToolPolicy.listedTools). Answering here saves the upstream round trip and, for a server
 * with hundreds of tools, parsing and re-serialising a large list on every call: the serialised list is built once per
 * registry change, revision and role set. `/federated/mcp` has always listed tools this way. ADR 0015.
 */
@Injectable()
export class ApprovedToolLists {
  /** Encoded once: a 500-tool list is about 300 KB, and encoding it per answer cost more than the rest of it. */
  private readonly lists = new WeakMap<RegisteredServer, Map<string, Buffer>>();

  /**
   * The JSON body answering `message`, or undefined when the upstream must answer: not a lone first-page
   * `tools/list`, a protocol revision the gateway does not know (the upstream refuses it as it sees fit), or a
   * server whose list only the upstream knows.
   */
  answer(
    server: RegisteredServer,
    principal: Principal,
    message: JsonRpcMessage,
    revision: string | undefined,
  ): Buffer | undefined {
    if (message.method !== 'tools/list' || message.id === undefined || message.id === null) return undefined;
    // A cursor comes from an upstream's page (the gateway's own answer is one page): the upstream resolves it.
    if (message.params?.cursor !== undefined) return undefined;
    if (
      revision !== undefined &&
      revision !== MODERN_REVISION &&
      !SUPPORTED_PROTOCOL_VERSIONS.includes(revision)
    )
      return undefined;
    const result = this.resultFor(server, principal, revision);
    if (result === undefined) return undefined;
    const head = Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":`);
    return Buffer.concat([head, result, CLOSING_BRACE], head.length + result.length + 1);
  }

  private resultFor(server: RegisteredServer, principal: Principal, revision: string | undefined) {
    let byCaller = this.lists.get(server);
    if (!byCaller) {
      byCaller = new Map();
      this.lists.set(server, byCaller);
    }
    const key = `${revision ?? ''}|${principal.roles.join(',')}`;
    const cached = byCaller.get(key);
    if (cached !== undefined) return cached;
    const tools = new ToolPolicy(server, principal).listedTools(revision);
    if (tools === undefined) return undefined;
    const result = Buffer.from(
      JSON.stringify(
        revision === MODERN_REVISION
          ? {
              tools,
              resultType: 'complete',
              // Who may call what changes with approvals and role rules: clients are not to keep it.
              ttlMs: 0,
              cacheScope: 'private',
              ...(server.serverInfo ? { _meta: { [SERVER_INFO_META]: server.serverInfo } } : {}),
            }
          : { tools },
      ),
    );
    if (byCaller.size >= MAX_LISTS_PER_SERVER) byCaller.clear();
    byCaller.set(key, result);
    return result;
  }
}
