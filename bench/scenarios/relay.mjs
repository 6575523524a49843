/**
 * Relay scenario: `tools/call` of one upstream's echo tool, measured in the same run
 *   1. directly,  2. through the raw forwarder (the ceiling for any proxy),  3. through /servers/{id}/mcp,
 *   4. through /federated/mcp (tool `{server}__echo`),  5. directly again,
 * at each concurrency. Direct is measured before and after the proxied rows and the two are averaged: the machine
 * is shared and drifts over the minute a series takes; the drift is printed so a reader can judge the ratios.
 */
import { echoCall, measure } from '../lib/load.mjs';
import { errorSummary, fmt, meanRun, printTable } from '../lib/report.mjs';
import { startForwarder } from '../lib/upstreams.mjs';

/**
 * @param upstream `{ name, url, tool, argument, proxyUrl }` (proxyUrl: its /servers/{id}/mcp on the gateway)
 * @returns the number of failed requests (wrong answers included)
 */
export async function relayScenario({ gateway, upstream, settings }) {
  const forwarder = await startForwarder(upstream.url);
  const federatedUrl = `${gateway.url}/federated/mcp`;
  const targets = [
    { key: 'direct', label: 'direct upstream', url: upstream.url, tool: upstream.tool, cpuPid: upstream.pid },
    {
      key: 'forwarder',
      label: 'raw forwarder',
      url: forwarder.url,
      tool: upstream.tool,
      cpuPid: forwarder.pid,
    },
    {
      key: 'servers',
      label: '/servers/{id}/mcp',
      url: upstream.proxyUrl,
      token: await gateway.token(upstream.proxyUrl),
      tool: upstream.tool,
      cpuPid: gateway.pid,
    },
    {
      key: 'federated',
      label: '/federated/mcp',
      url: federatedUrl,
      token: await gateway.token(federatedUrl),
      tool: `${upstream.name}__${upstream.tool}`,
      cpuPid: gateway.pid,
    },
    {
      key: 'directAgain',
      label: 'direct upstream (again)',
      url: upstream.url,
      tool: upstream.tool,
      cpuPid: upstream.pid,
    },
  ];

  console.log(`\n### Relay: ${upstream.name} upstream (${upstream.description})\n`);
  const rows = [];
  const notes = [];
  let failures = 0;
  for (const concurrency of settings.concurrency) {
    const runs = {};
    for (const target of targets) {
      process.stderr.write(`  ${upstream.name} c=${concurrency}: ${target.label} ...\n`);
      runs[target.key] = await measure({
        url: target.url,
        token: target.token,
        concurrency,
        warmup: settings.warmup,
        requests: settings.requests,
        timeoutMs: settings.timeoutMs,
        send: echoCall(target.tool, upstream.argument),
        cpuPid: target.cpuPid,
      });
      const { errors } = runs[target.key];
      failures += errors.length;
      for (const line of errorSummary(errors)) notes.push(`c=${concurrency} ${target.label}: ${line}`);
    }
    const direct = meanRun(runs.direct, runs.directAgain);
    notes.push(
      `c=${concurrency}: direct before ${fmt(runs.direct.rps, 0)} req/s, after ${fmt(runs.directAgain.rps, 0)} req/s ` +
        `(drift ${fmt((100 * (runs.directAgain.rps - runs.direct.rps)) / runs.direct.rps, 0)}%)`,
    );
    const row = (label, run) => [
      label,
      concurrency,
      fmt(run.rps, 0),
      fmt(run.p50),
      fmt(run.p99),
      fmt(run.rps / direct.rps),
      fmt(run.rps / runs.forwarder.rps),
      fmt(run.p50 - direct.p50),
      fmt(run.cpuUsPerCall, 0),
      run.errors.length,
    ];
    rows.push(row('direct upstream (mean of before/after)', direct));
    rows.push(row('raw forwarder', runs.forwarder));
    rows.push(row('/servers/{id}/mcp', runs.servers));
    rows.push(row('/federated/mcp', runs.federated));
  }
  printTable(
    [
      'target',
      'c',
      'req/s',
      'p50 ms',
      'p99 ms',
      'vs direct',
      'vs forwarder',
      'added p50 ms',
      'CPU µs/call',
      'errors',
    ],
    rows,
  );
  console.log('');
  console.log(
    "- CPU µs/call: the upstream's per call on the direct row; on the others, the proxy process's own (forwarder or " +
      'gateway, the upstream not included): the figure a busy machine blurs least',
  );
  for (const note of notes) console.log(`- ${note}`);
  return failures;
}
