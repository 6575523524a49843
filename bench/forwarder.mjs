#!/usr/bin/env node
/**
 * The ceiling for any HTTP proxy on this machine: a raw node:http pass-through, in its own process, that forwards
 * method, path, headers and body to the upstream given as argument over keep-alive connections and pipes the answer
 * back as it arrives (SSE streams included). No parsing, no auth, no policy: what the gateway costs beyond this is
 * the gateway's own work, what this costs is the extra hop. Prints its URL (same path as the upstream's).
 *   node bench/forwarder.mjs http://127.0.0.1:3001/mcp
 */
import http from 'node:http';

const target = new URL(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
/** Hop-by-hop headers describe one connection, not the message: each hop sets its own (RFC 9110 §7.6.1). */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
];
function endToEnd(headers, extra = {}) {
  const copy = { ...headers, ...extra };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

const server = http.createServer((req, res) => {
  const headers = endToEnd(req.headers, { host: target.host });
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode, endToEnd(answer.headers));
      // Send the headers now: a listening stream may stay silent for minutes after them.
      res.flushHeaders();
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  // The client went away (e.g. closed its listening stream): drop the upstream request too.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}${target.pathname}`);
});
process.on('SIGTERM', () => process.exit(0));
