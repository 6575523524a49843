import type { BadRequestException } from '@nestjs/common';
import { validateInput } from '../../common/mcp/validate-input.js';
import { RegisterServerDto } from './register-server.dto.js';

const valid = { name: 'github', url: 'https://mcp.example.com/mcp' };
const errorsOf = (input: unknown) =>
  validateInput(RegisterServerDto, input).then(
    () => [],
    (error: BadRequestException) => (error.getResponse() as { message: string[] }).message,
  );

describe('RegisterServerDto', () => {
  it('accepts a minimal registration and bounded per-tool maps', async () => {
    expect(
      await errorsOf({ ...valid, timeouts: { tools: { report: 300_000 } }, toolRoles: { drop: ['admin'] } }),
    ).toEqual([]);
  });

  it('accepts per-server and per-tool rate limits', async () => {
    expect(
      await errorsOf({ ...valid, rateLimits: { requestsPerMinute: 600, tools: { create_issue: 10 } } }),
    ).toEqual([]);
  });

  it.each([
    [
      'a name that is not a slug',
      { ...valid, name: 'GitHub Tools' },
      /name must be 1 to 63 lower-case letters, digits and hyphens.*got "GitHub Tools"/,
    ],
    ['an unknown property', { ...valid, surprise: true }, /should not exist/],
    [
      'a name shaped like a server id',
      { ...valid, name: '0a1b2c3d-0000-4000-8000-000000000000' },
      /not shaped like a server id/,
    ],
    ['a tool timeout under a second', { ...valid, timeouts: { tools: { x: 10 } } }, /1000\.\.3600000 ms/],
    ['an unknown role in a tool rule', { ...valid, toolRoles: { x: ['root'] } }, /admin, server_owner, user/],
    [
      'too many tool rules',
      {
        ...valid,
        toolRoles: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`t${i}`, ['admin']])),
      },
      /up to 100 tool names/,
    ],
    ['a zero rate limit', { ...valid, rateLimits: { requestsPerMinute: 0 } }, /requestsPerMinute/],
    [
      'a tool rate limit too high',
      { ...valid, rateLimits: { tools: { x: 100_001 } } },
      /1\.\.100000 requests/,
    ],
    [
      'too many tool rate limits',
      {
        ...valid,
        rateLimits: { tools: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`t${i}`, 1])) },
      },
      /up to 100 tool names/,
    ],
    ['an unknown rate-limit field', { ...valid, rateLimits: { perHour: 5 } }, /should not exist/],
    [
      'too many endpoints',
      { name: 'x', endpoints: Array.from({ length: 11 }, () => ({ url: 'https://a' })) },
      /endpoints/,
    ],
  ])('refuses %s', async (_case, input, message) => {
    expect((await errorsOf(input)).join('\n')).toMatch(message);
  });
});
