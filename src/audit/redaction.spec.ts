import { REDACTED, redactParams, storableText } from './redaction.js';

describe('redactParams', () => {
  const redact = (value: unknown, extraKeys: string[] = [], maxBytes = 10_000) =>
    redactParams(value, { extraKeys, maxBytes });

  it('replaces sensitive values at any depth and in any case, keeping the rest', () => {
    expect(
      redact({
        query: 'q',
        Access_Token: 't',
        headers: { Authorization: 'Bearer x', Cookie: 'c', accept: 'json' },
        items: [{ password: 'p', apiKey: 'k', 'x-api-key': 'k2', error_code: 'E1' }],
        upstreamAuth: { type: 'static', headerName: 'X-Key', value: 's' },
        code: 'oauth-code',
        note: { value: 'kept: not under an auth block' },
      }),
    ).toEqual({
      query: 'q',
      Access_Token: REDACTED,
      headers: { Authorization: REDACTED, Cookie: REDACTED, accept: REDACTED },
      items: [{ password: REDACTED, apiKey: REDACTED, 'x-api-key': REDACTED, error_code: 'E1' }],
      upstreamAuth: { type: 'static', headerName: 'X-Key', value: REDACTED },
      code: REDACTED,
      note: { value: 'kept: not under an auth block' },
    });
  });

  it('redacts the value of an entry that names a credential, and passphrase, pwd and auth fields', () => {
    const params = {
      headers: [
        { name: 'Authorization', value: 'Bearer abc' },
        { name: 'Accept', value: 'application/json' },
      ],
      env: [{ key: 'API_KEY', value: 'k' }],
      passphrase: 'p',
      pwd: 'q',
      auth: { user: 'u', pass: 'v' },
      author: 'ada',
    };
    expect(redactParams(params, { maxBytes: 10_000 })).toEqual({
      headers: [
        { name: 'Authorization', value: REDACTED },
        { name: 'Accept', value: REDACTED },
      ],
      env: [{ key: 'API_KEY', value: REDACTED }],
      passphrase: REDACTED,
      pwd: REDACTED,
      auth: REDACTED,
      author: 'ada',
    });
  });

  it('redacts every header value whatever the header is called, and every value marked secret', () => {
    const imported = {
      name: 'io.example/weather',
      remotes: [
        {
          type: 'streamable-http',
          url: 'https://mcp.example.com/mcp',
          headers: [
            { name: 'Ocp-Apim-Subscription-Key', value: 'S3CRET', isSecret: true, default: 'D3FAULT' },
            { name: 'X-Auth-Key', value: 'S3CRET2', description: 'kept' },
          ],
        },
      ],
      packages: [{ environmentVariables: [{ name: 'WEATHER_TENANT', value: 'S3CRET3', isSecret: true }] }],
      requestHeaders: { 'X-Tenant-Code': 'S3CRET4' },
    };
    const stored = JSON.stringify(redactParams(imported, { maxBytes: 10_000 }));
    for (const secret of ['S3CRET', 'D3FAULT', 'S3CRET2', 'S3CRET3', 'S3CRET4']) {
      expect(stored).not.toContain(`"${secret}"`);
    }
    expect(stored).toContain('"description":"kept"');
    expect(stored).toContain('"name":"Ocp-Apim-Subscription-Key"');
    // A value that is not a header's and not marked secret stays.
    expect(redactParams({ choice: { name: 'unit', value: 'celsius' } }, { maxBytes: 1000 })).toEqual({
      choice: { name: 'unit', value: 'celsius' },
    });
  });

  it('redacts configured extra keys by exact name', () => {
    expect(redact({ SSN: '1', ssn_hint: 'kept' }, ['ssn'])).toEqual({ SSN: REDACTED, ssn_hint: 'kept' });
  });

  it('truncates what is still too large after redaction, saying how large it was', () => {
    const result = redact({ blob: 'x'.repeat(500) }, [], 100) as Record<string, unknown>;
    expect(result).toMatchObject({ '[TRUNCATED]': true, bytes: 511 });
    expect((result.preview as string).length).toBe(100);
  });

  it('bounds depth and drops values JSON cannot hold', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 30; i++) deep = { deep };
    expect(JSON.stringify(redact(deep))).toContain('[TRUNCATED]');
    expect(redact({ n: Number.NaN, f: () => 1, big: 10n })).toEqual({ n: null, f: null, big: '10' });
    expect(redact({ body: Buffer.alloc(1_000_000) })).toEqual({ body: { binary: true, bytes: 1_000_000 } });
  });
});

describe('storableText', () => {
  it('replaces NUL and lone surrogates, keeps valid pairs', () => {
    expect(storableText('a\u0000b\uD800c\uDC00d😀')).toBe('a\uFFFDb\uFFFDc\uFFFDd😀');
  });
});
