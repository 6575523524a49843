import { DECORATORS } from '@nestjs/swagger';
import { z } from 'zod';
import { validateInput } from '../common/mcp/validate-input.js';
import { ListServersQuery, SearchToolsQuery } from './dto/list-servers.query.js';
import { RegisterServerDto, ServerSettingsDto } from './dto/register-server.dto.js';
import { MAX_PAGE_SIZE, SERVER_NAME_MAX_LENGTH, SERVER_REF_MAX_LENGTH } from './registry.limits.js';
import { pageSize, serverRef, serverSettingsShape } from './registry.schemas.js';

/**
 * The three statements of a limit must agree: the DTO (what is enforced), the OpenAPI metadata and the MCP tools'
 * zod shapes (what callers are told). Every bound the OpenAPI metadata or the zod shape states is tried against the
 * DTO at the bound and one past it, so a literal written in one place and not the others fails here.
 */

const KEYWORDS = ['maxLength', 'maxItems', 'minimum', 'maximum'] as const;
type Keyword = (typeof KEYWORDS)[number];
/** `endpoints[].weight`: a field of each item; `rateLimits.tools{}`: each value of a map. */
interface Bound {
  path: string;
  keyword: Keyword;
  limit: number;
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
}

function ownBounds(node: object, path: string): Bound[] {
  const values = node as Partial<Record<Keyword, unknown>>;
  // zod's `.int()` states the safe-integer range as bounds of its own: a type, not a limit of ours.
  const isLimit = (value: unknown) =>
    typeof value === 'number' && Math.abs(value) !== Number.MAX_SAFE_INTEGER;
  return KEYWORDS.filter((keyword) => isLimit(values[keyword])).map((keyword) => ({
    path,
    keyword,
    limit: values[keyword] as number,
  }));
}

function jsonSchemaBounds(node: SchemaNode, path = ''): Bound[] {
  const nested = [
    ...Object.entries(node.properties ?? {}).map(([key, child]) =>
      jsonSchemaBounds(child, path ? `${path}.${key}` : key),
    ),
    node.items ? jsonSchemaBounds(node.items, `${path}[]`) : [],
    typeof node.additionalProperties === 'object'
      ? jsonSchemaBounds(node.additionalProperties, `${path}{}`)
      : [],
  ];
  return [...ownBounds(node, path), ...nested.flat()];
}

type Metadata = { type?: unknown; isArray?: boolean };

function openApiBounds(dto: abstract new () => unknown, prefix = ''): Bound[] {
  const names = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, dto.prototype) ?? []) as string[];
  return names.flatMap((name) => {
    const key = name.slice(1);
    const path = `${prefix}${key}`;
    const metadata = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype, key) as Metadata;
    const type = metadata.type;
    const nested =
      typeof type === 'function' && Reflect.hasMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, type.prototype)
        ? openApiBounds(type as abstract new () => unknown, metadata.isArray ? `${path}[].` : `${path}.`)
        : [];
    return [...ownBounds(metadata, path), ...nested];
  });
}

/** Valid items of each bounded list, distinct (tags and keys must be unique). */
const ITEMS: Record<string, (index: number) => unknown> = {
  endpoints: (index) => ({ url: `https://e${index}.example.com/mcp` }),
  tags: (index) => `t${index}`,
  auditRedactKeys: (index) => `k${index}`,
};

function leaf(bound: Bound, size: number): unknown {
  const list = bound.path.split('.').at(-1) as string;
  switch (bound.keyword) {
    case 'maxLength':
      return 'a'.repeat(size);
    case 'maxItems':
      return Array.from({ length: size }, (_, index) => ITEMS[list](index));
    case 'minimum':
    case 'maximum':
      return size;
  }
}

/** The smallest settings that put `value` at `path`. */
function settingsWith(path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  const key = head.replace(/(\[\]|\{\})$/, '');
  const inner = rest.length > 0 ? settingsWith(rest.join('.'), value) : value;
  if (head.endsWith('[]')) return { [key]: [{ ...(ITEMS[key](0) as object), ...(inner as object) }] };
  if (head.endsWith('{}')) return { [key]: { some_tool: inner } };
  return { [key]: inner };
}

const past = (bound: Bound) => (bound.keyword === 'minimum' ? bound.limit - 1 : bound.limit + 1);
const registration = (bound: Bound, size: number) => ({
  name: 'github',
  ...settingsWith(bound.path, leaf(bound, size)),
});
const dtoAccepts = (input: unknown) =>
  validateInput(RegisterServerDto, input).then(
    () => true,
    () => false,
  );

const zodShape = z.object(serverSettingsShape);
const sources: [string, Bound[]][] = [
  ['the zod shape of the MCP tools', jsonSchemaBounds(z.toJSONSchema(zodShape) as SchemaNode)],
  ['the OpenAPI metadata', openApiBounds(ServerSettingsDto)],
];

describe('registry limits', () => {
  describe.each(sources)('every bound %s states', (_source, bounds) => {
    it('is found (the walk sees the settings)', () => {
      expect(bounds.length).toBeGreaterThanOrEqual(8);
    });

    it.each(bounds)('$path $keyword $limit is where the DTO draws the line', async (bound) => {
      expect(await dtoAccepts(registration(bound, bound.limit))).toBe(true);
      expect(await dtoAccepts(registration(bound, past(bound)))).toBe(false);
    });

    it.each(bounds)('$path $keyword $limit is where the zod shape draws the line too', (bound) => {
      const { name: _name, ...settings } = registration(bound, bound.limit);
      const { name: _past, ...pastSettings } = registration(bound, past(bound));
      expect([zodShape.safeParse(settings).success, zodShape.safeParse(pastSettings).success]).toEqual([
        true,
        false,
      ]);
    });
  });

  it('holds a server name to the same length in the DTO and the OpenAPI pattern', async () => {
    const metadata = Reflect.getMetadata(
      DECORATORS.API_MODEL_PROPERTIES,
      RegisterServerDto.prototype,
      'name',
    ) as {
      pattern: string;
    };
    const pattern = new RegExp(metadata.pattern);
    const atLimit = 'a'.repeat(SERVER_NAME_MAX_LENGTH);
    const pastLimit = `${atLimit}a`;
    expect([pattern.test(atLimit), await dtoAccepts({ name: atLimit })]).toEqual([true, true]);
    expect([pattern.test(pastLimit), await dtoAccepts({ name: pastLimit })]).toEqual([false, false]);
  });

  it('pages the tools and the REST queries alike', async () => {
    for (const query of [ListServersQuery, SearchToolsQuery]) {
      const accepts = (limit: number) =>
        validateInput(query, { limit }).then(
          () => true,
          () => false,
        );
      expect([pageSize.safeParse(MAX_PAGE_SIZE).success, await accepts(MAX_PAGE_SIZE)]).toEqual([true, true]);
      expect([pageSize.safeParse(MAX_PAGE_SIZE + 1).success, await accepts(MAX_PAGE_SIZE + 1)]).toEqual([
        false,
        false,
      ]);
    }
  });

  it('names a server by id or name at the same length in the tools and the tool search', async () => {
    const accepts = (server: string) =>
      validateInput(SearchToolsQuery, { server }).then(
        () => true,
        () => false,
      );
    const atLimit = 'a'.repeat(SERVER_REF_MAX_LENGTH);
    expect([serverRef.safeParse(atLimit).success, await accepts(atLimit)]).toEqual([true, true]);
    expect([serverRef.safeParse(`${atLimit}a`).success, await accepts(`${atLimit}a`)]).toEqual([
      false,
      false,
    ]);
  });
});
