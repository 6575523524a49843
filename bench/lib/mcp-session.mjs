/**
 * A minimal MCP client session over an undici dispatcher, doing on the wire what the official SDK client does against
 * a stateful server: `initialize` (keeping the `mcp-session-id` the server hands out and the protocol version it
 * chose), `notifications/initialized`, then requests carrying both headers, each answered as JSON or as SSE. The SDK
 * client itself is not used: on a 2-core machine its per-call CPU would be taken from the servers being measured.
 * Every request has a time limit, so a stalled server shows up as an error instead of a bench that never ends.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { answerTo } from './sse.mjs';

export const PROTOCOL_VERSION = '2025-11-25';

export class McpError extends Error {}

export class McpSession {
  /**
   * @param dispatcher an undici Pool or Agent towards the URL's origin
   * @param url the MCP endpoint
   * @param token bearer token, if the endpoint needs one
   * @param timeoutMs longest wait for the response headers and between two body chunks
   */
  constructor({ dispatcher, url, token, timeoutMs }) {
    this.dispatcher = dispatcher;
    this.url = new URL(url);
    this.authorization = token ? `Bearer ${token}` : undefined;
    this.timeoutMs = timeoutMs;
    /** Absent for stateless servers (the fast upstream, /federated/mcp): then no session header is sent. */
    this.sessionId = undefined;
    /** Sent as `mcp-protocol-version` once negotiated, as the SDK does. */
    this.protocolVersion = undefined;
    this.nextId = 1;
  }

  headers(accept) {
    // As the SDK client's fetch asks (and then inflates what comes back compressed).
    const headers = { accept, 'accept-encoding': 'gzip, deflate' };
    if (this.authorization) headers.authorization = this.authorization;
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion) headers['mcp-protocol-version'] = this.protocolVersion;
    return headers;
  }

  /** Sends one JSON-RPC message as a POST; resolves with undici's response, body unread. */
  send(message) {
    return this.dispatcher.request({
      origin: this.url.origin,
      path: this.url.pathname + this.url.search,
      method: 'POST',
      headers: { ...this.headers('application/json, text/event-stream'), 'content-type': 'application/json' },
      body: JSON.stringify(message),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  /** One POST; resolves with status, content type, the whole body and the headers. */
  async post(message) {
    const response = await this.send(message);
    const text = decoded(response.headers, Buffer.from(await response.body.arrayBuffer())).toString();
    return {
      status: response.statusCode,
      contentType: response.headers['content-type'],
      headers: response.headers,
      text,
    };
  }

  /**
   * One POST whose answer is only checked, not decoded as text: its size and its last `tailBytes` as text (after
   * inflating it, if it came compressed, as any client must). For large answers, where decoding the whole body as
   * text would put more of the load generator's CPU on the cores being measured than the answer costs the server.
   */
  async postChecked(message, tailBytes = 4096) {
    const response = await this.send(message);
    let size = 0;
    let last = [];
    const encoding = response.headers['content-encoding'];
    if (encoding === 'gzip' || encoding === 'deflate') {
      last = [decoded(response.headers, Buffer.from(await response.body.arrayBuffer()))];
      size = last[0].length;
    } else {
      for await (const chunk of response.body) {
        size += chunk.length;
        last = [...last.slice(-1), chunk];
      }
    }
    const tail = Buffer.concat(last);
    return {
      status: response.statusCode,
      contentType: response.headers['content-type'],
      size,
      text: tail.subarray(Math.max(0, tail.length - tailBytes)).toString(),
    };
  }

  /** A request; resolves with its `result`, throws on an HTTP error, a JSON-RPC error or a missing answer. */
  async request(method, params) {
    const id = this.nextId++;
    const response = await this.post({ jsonrpc: '2.0', id, method, params });
    if (response.status !== 200) throw this.failure(method, response);
    const answer = answerTo(id, response.contentType, response.text);
    if (!answer?.result) throw this.failure(method, response);
    return { result: answer.result, response };
  }

  /** `initialize` + `notifications/initialized`, like the SDK client's connect(). */
  async open() {
    const { result, response } = await this.request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'mreg-bench', version: '1.0.0' },
    });
    this.sessionId = response.headers['mcp-session-id'];
    this.protocolVersion = result.protocolVersion;
    const initialized = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    if (initialized.status !== 202 && initialized.status !== 200 && initialized.status !== 204) {
      throw this.failure('notifications/initialized', initialized);
    }
    return this;
  }

  /** `tools/call`; throws unless the tool's text output contains `expected` (the echoed text). */
  async callTool(name, args, expected) {
    const { result, response } = await this.request('tools/call', { name, arguments: args });
    const text = result.content?.map((part) => part.text ?? '').join('') ?? '';
    if (result.isError || !text.includes(expected)) throw this.failure(`tools/call ${name}`, response);
    return result;
  }

  /**
   * Opens the session's listening stream (GET, `accept: text/event-stream`) and resolves, once the headers are in,
   * with the body: the caller keeps it open (reading and dropping what arrives) and destroys it to close the stream.
   */
  async listen() {
    const response = await this.dispatcher.request({
      origin: this.url.origin,
      path: this.url.pathname + this.url.search,
      method: 'GET',
      headers: this.headers('text/event-stream'),
      headersTimeout: this.timeoutMs,
      // An idle listening stream is silent for as long as it lives: no limit between chunks.
      bodyTimeout: 0,
    });
    if (response.statusCode !== 200 || !response.headers['content-type']?.startsWith('text/event-stream')) {
      const text = await response.body.text().catch(() => '');
      throw this.failure('GET stream', {
        status: response.statusCode,
        contentType: response.headers['content-type'],
        text,
      });
    }
    return response.body;
  }

  failure(what, { status, text }) {
    return new McpError(`${what} on ${this.url.pathname}: HTTP ${status} ${text.slice(0, 300)}`);
  }
}

/** A body as sent, inflated if it came gzip- or deflate-encoded. */
function decoded(headers, body) {
  const encoding = headers['content-encoding'];
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  return body;
}
