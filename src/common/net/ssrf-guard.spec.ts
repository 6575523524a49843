import { guardedLookup, isRefusedAddress } from './ssrf-guard.js';

describe('isRefusedAddress without private upstreams', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::127.0.0.1',
    '::a00:1',
    '::2',
    '::ffff:0:a00:1',
    '64:ff9b::a00:1',
    '64:ff9b:1::c0a8:101',
    '2002:c0a8:101::1',
    'not-an-ip',
  ])('blocks %s', (address) => {
    expect(isRefusedAddress(address, false)).toBe(true);
  });

  it.each([
    '::ffff:a9fe:a9fe',
    '::169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
    '::ffff:0:a9fe:a9fe',
  ])('refuses the metadata service behind %s even with private upstreams allowed', (address) => {
    expect(isRefusedAddress(address, true)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '20.190.128.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '2002:808:808::1',
    '64:ff9b::808:808',
  ])('allows %s', (address) => {
    expect(isRefusedAddress(address, false)).toBe(false);
  });
});

describe('guardedLookup', () => {
  const resolve = (allowPrivate: boolean, host: string) =>
    new Promise<string>((ok, fail) =>
      guardedLookup(allowPrivate)(host, {}, (error, address) =>
        error ? fail(error) : ok(address as string),
      ),
    );

  it('refuses a name that resolves to loopback at connect time', async () => {
    await expect(resolve(false, 'localhost')).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
  });

  it('lets it through when private upstreams are allowed', async () => {
    await expect(resolve(true, 'localhost')).resolves.toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
