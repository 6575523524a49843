/**
 * Reading MCP streamable-HTTP answers. A server may answer a POST with one JSON body or with an SSE stream; the
 * reference server (and the gateway's federated endpoint) use SSE, with a "priming" event whose data is empty (for
 * resumability) before the `event: message` that carries the JSON-RPC answer. Clients must handle both, so the bench
 * does too, and it looks for the answer by JSON-RPC id rather than taking the first event.
 */

/** JSON-RPC messages of one response body, whatever its content type. */
export function messagesOf(contentType, text) {
  if (contentType?.startsWith('text/event-stream')) return sseMessages(text);
  if (!text) return [];
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** The messages of the `message` events of an SSE body (events without a type are `message` events too). */
export function sseMessages(text) {
  const messages = [];
  // Events end with a blank line; line ends may be \n, \r\n or \r (the SSE spec allows all three).
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    let event = 'message';
    const data = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
      else if (line.startsWith('event:')) event = line.slice(6).trim();
    }
    const payload = data.join('\n');
    // Priming events carry an id and empty data: nothing to parse.
    if (event === 'message' && payload.trim()) messages.push(JSON.parse(payload));
  }
  return messages;
}

/** The answer (result or error) to the request with `id` among a response's messages, or undefined. */
export function answerTo(id, contentType, text) {
  return messagesOf(contentType, text).find(
    (message) => message.id === id && ('result' in message || 'error' in message),
  );
}
