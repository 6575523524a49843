import { checkUpstreamUrl } from './endpoint-urls.js';

const resolvesTo =
  (...addresses: string[]) =>
  () =>
    Promise.resolve(addresses);

describe('checkUpstreamUrl', () => {
  it('accepts a public https URL and normalises it', async () => {
    await expect(
      checkUpstreamUrl('HTTPS://MCP.Example.com/mcp', false, resolvesTo('93.184.216.34')),
    ).resolves.toBe('https://mcp.example.com/mcp');
  });

  it.each([
    ['ftp://example.com/mcp', 'must use http or https'],
    ['not a url', 'is not a valid URL'],
    ['https://user:pw@example.com/mcp', 'must not carry credentials'],
    ['https://example.com/mcp#frag', 'must not have a fragment'],
  ])('refuses %s', async (url, reason) => {
    await expect(checkUpstreamUrl(url, true, resolvesTo('93.184.216.34'))).rejects.toThrow(reason);
  });

  it('refuses names resolving to private addresses unless private upstreams are allowed', async () => {
    await expect(
      checkUpstreamUrl('http://internal.example/mcp', false, resolvesTo('10.0.0.5')),
    ).rejects.toThrow(
      '10.0.0.5 is a private or loopback address; an operator can allow those with MREG_ALLOW_PRIVATE_UPSTREAMS=true',
    );
    await expect(
      checkUpstreamUrl('http://internal.example/mcp', true, resolvesTo('10.0.0.5')),
    ).resolves.toBeTruthy();
  });

  it('always refuses link-local and metadata addresses, even with private upstreams allowed', async () => {
    for (const url of [
      'http://169.254.169.254/latest',
      'http://[fe80::1]/mcp',
      'http://[::ffff:169.254.169.254]/',
    ]) {
      await expect(checkUpstreamUrl(url, true)).rejects.toThrow('metadata');
    }
    await expect(
      checkUpstreamUrl('http://metadata.internal/', true, resolvesTo('169.254.169.254')),
    ).rejects.toThrow();
  });

  it('refuses hosts that do not resolve', async () => {
    const fails = () => Promise.reject(new Error('ENOTFOUND'));
    await expect(checkUpstreamUrl('https://nowhere.invalid/mcp', false, fails)).rejects.toThrow(
      'does not resolve',
    );
  });
});
