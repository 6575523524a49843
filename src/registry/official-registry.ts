import type { RegisterServerDto } from './dto/register-server.dto.js';
import type { ServerJsonDto } from './dto/server-json.dto.js';
import { invalidServer } from './registry.errors.js';
import type { RegisteredServer } from './registry.types.js';

export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';
export const SERVER_JSON_SCHEMA =
  'https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json';

/** `io.github.acme/weather-server` → `weather-server`: the last path segment as a slug. */
export function slugFromOfficialName(name: string): string {
  const slug = (name.split('/').pop() ?? name)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  if (!slug) throw invalidServer(`Cannot derive a server name from "${name}"; pass ?name=`);
  return slug;
}

/**
 * Maps an official `server.json` onto a registration: its remotes of the first remote's transport become endpoints,
 * and a header with a value becomes the (encrypted) static upstream credential.
 */
export function registrationFromServerJson(
  json: ServerJsonDto,
  options: { name?: string; discover?: boolean },
): RegisterServerDto {
  const transport = json.remotes[0].type;
  const remotes = json.remotes.filter((remote) => remote.type === transport);
  const credential = remotes.flatMap((remote) => remote.headers ?? []).find((header) => header.value);
  return {
    name: options.name ?? slugFromOfficialName(json.name),
    title: json.title,
    description: json.description,
    version: json.version,
    transport,
    endpoints: remotes.map((remote) => ({ url: remote.url, weight: 1 })),
    ...(credential
      ? { upstreamAuth: { type: 'static', headerName: credential.name, value: credential.value } }
      : {}),
    discover: options.discover,
  };
}

export interface OfficialServerResponse {
  server: Record<string, unknown>;
  _meta: Record<string, unknown>;
}

/** A registered server as the official Registry API shows it, reachable through this gateway's proxy endpoint. */
export function toOfficialServer(server: RegisteredServer, gatewayUrl: string): OfficialServerResponse {
  return {
    server: {
      $schema: SERVER_JSON_SCHEMA,
      name: server.name,
      ...(server.title ? { title: server.title } : {}),
      description: server.description || server.title || server.name,
      version: server.version ?? server.serverInfo?.version ?? '0.0.0',
      remotes: [{ type: 'streamable-http', url: `${gatewayUrl}/servers/${server.id}/mcp` }],
    },
    _meta: {
      [OFFICIAL_META_KEY]: {
        status: server.status === 'maintenance' ? 'deprecated' : 'active',
        publishedAt: server.createdAt.toISOString(),
        updatedAt: server.updatedAt.toISOString(),
        isLatest: true,
      },
    },
  };
}
