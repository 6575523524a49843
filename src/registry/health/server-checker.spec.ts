import { describeDiscoveryError } from './server-checker.js';

describe('describeDiscoveryError', () => {
  it('replaces a web page pasted into an error with what it means', () => {
    const error = new Error(
      'Streamable HTTP error: Error POSTing to endpoint (HTTP 404): <!DOCTYPE html><html><head><title>Not Found</title>',
    );
    expect(describeDiscoveryError(error)).toBe(
      'Streamable HTTP error: Error POSTing to endpoint (HTTP 404): the server answered with a web page, not MCP: is the URL its MCP endpoint (often ending in /mcp or /sse)?',
    );
  });

  it('keeps other errors, with their cause, on one bounded line', () => {
    const error = new Error('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    expect(describeDiscoveryError(error)).toBe('fetch failed (connect ECONNREFUSED 127.0.0.1:9)');
    expect(describeDiscoveryError(new Error('x'.repeat(1000)))).toHaveLength(300);
  });
});
