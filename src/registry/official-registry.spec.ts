import { registrationFromServerJson, slugFromOfficialName, toOfficialServer } from './official-registry.js';
import type { ServerJsonDto } from './dto/server-json.dto.js';

describe('official registry mapping', () => {
  it('derives a slug from a reverse-DNS name', () => {
    expect(slugFromOfficialName('io.github.acme/Weather_Server')).toBe('weather-server');
    expect(() => slugFromOfficialName('io.github.acme/___')).toThrow('Cannot derive');
  });

  it('maps remotes of one transport to endpoints and a header value to a static credential', () => {
    const json: ServerJsonDto = {
      name: 'io.github.acme/weather',
      description: 'Weather',
      version: '1.0.0',
      remotes: [
        {
          type: 'streamable-http',
          url: 'https://a.example/mcp',
          headers: [{ name: 'X-Api-Key', value: 'k' }],
        },
        { type: 'sse', url: 'https://a.example/sse' },
        { type: 'streamable-http', url: 'https://b.example/mcp' },
      ],
    };
    expect(registrationFromServerJson(json, {})).toMatchObject({
      name: 'weather',
      transport: 'streamable-http',
      endpoints: [
        { url: 'https://a.example/mcp', weight: 1 },
        { url: 'https://b.example/mcp', weight: 1 },
      ],
      upstreamAuth: { type: 'static', headerName: 'X-Api-Key', value: 'k' },
    });
  });

  it('shows a server with the gateway as its remote', () => {
    const created = new Date('2026-01-01T00:00:00Z');
    const view = toOfficialServer(
      {
        id: 'id1',
        name: 'weather',
        title: null,
        description: '',
        version: null,
        serverInfo: { name: 'w', version: '2.0.0' },
        status: 'healthy',
        createdAt: created,
        updatedAt: created,
      } as never,
      'https://gw.example',
    );
    expect(view.server).toMatchObject({
      name: 'weather',
      version: '2.0.0',
      remotes: [{ type: 'streamable-http', url: 'https://gw.example/servers/id1/mcp' }],
    });
  });
});
