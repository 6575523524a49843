/**
 * Tools scenario: `tools/list` through /servers/{id}/mcp from an upstream with 5 tools and one with 500 (the gateway
 * answers from the registry, ADR 0015; with MREG_PROXY_TOOL_LISTS_FROM_REGISTRY=false it relays the upstream's answer,
 * parsed and filtered to what the caller may call, so its cost grows with the list). The target
 * is that the 500-tool rate through the gateway stays at least 0.8× the 5-tool rate. The same ratio measured
 * directly is printed beside it: a 100× larger answer costs something on any path, and the forwarder-free direct
 * ratio shows how much of the drop is the gateway's. The 5-tool gateway rate is measured before and after the
 * 500-tool one and averaged, for the same reason as in the relay tables.
 */
import { measure } from '../lib/load.mjs';
import { errorSummary, fmt, meanRun, printTable } from '../lib/report.mjs';
import { startToolsUpstream } from '../lib/upstreams.mjs';

const FEW = 5;

/**
 * The workload: tools/list, checked. The first answers of a run are parsed in full (exactly `count` tools); later ones
 * only by their size and by the last tool's name near their end, because decoding a 300 KB answer per request, let
 * alone JSON.parse, would put the load generator's CPU on the cores the gateway is measured on.
 */
function listTools(count, bytes) {
  const last = `"name":"tool_${String(count - 1).padStart(4, '0')}"`;
  return async (session, seq) => {
    if (seq < 20) {
      const { result, response } = await session.request('tools/list', {});
      if (result.tools?.length !== count) throw session.failure('tools/list', response);
      bytes.value = Buffer.byteLength(response.text);
      return;
    }
    const id = session.nextId++;
    const response = await session.postChecked({ jsonrpc: '2.0', id, method: 'tools/list', params: {} });
    // The id's digits change the size a little; a list that lost or gained a tool changes it by hundreds of bytes.
    const expected = Math.abs(response.size - bytes.value) < 32;
    if (response.status !== 200 || !expected || !response.text.includes(last))
      throw session.failure('tools/list', response);
  };
}

/** @returns the number of failed requests */
export async function toolsScenario({ gateway, settings }) {
  const upstream = await startToolsUpstream();
  const counts = [FEW, settings.toolCount];
  const targets = [];
  for (const count of counts) {
    const proxyUrl = await gateway.register(`tools-${count}`, upstream.urlFor(count));
    targets.push({ count, label: 'direct upstream', url: upstream.urlFor(count) });
    targets.push({ count, label: '/servers/{id}/mcp', url: proxyUrl, token: await gateway.token(proxyUrl) });
  }
  // Order per concurrency: direct 5, direct 500, gateway 5, gateway 500, gateway 5 again.
  const order = [targets[0], targets[2], targets[1], targets[3], { ...targets[1], again: true }];

  console.log(`\n### tools/list: ${FEW} vs ${settings.toolCount} tools (raw JSON upstream)\n`);
  const rows = [];
  const notes = [];
  let failures = 0;
  for (const concurrency of settings.concurrency) {
    const runs = [];
    for (const target of order) {
      process.stderr.write(`  tools c=${concurrency}: ${target.count} tools, ${target.label} ...\n`);
      const bytes = { value: Number.NaN };
      const run = await measure({
        url: target.url,
        token: target.token,
        concurrency,
        warmup: settings.toolsWarmup,
        requests: settings.toolsRequests,
        timeoutMs: settings.timeoutMs,
        send: listTools(target.count, bytes),
      });
      runs.push({ ...run, bytes: bytes.value });
      failures += run.errors.length;
      for (const line of errorSummary(run.errors)) notes.push(`c=${concurrency} ${target.label}: ${line}`);
    }
    const [direct5, direct500, gateway5a, gateway500, gateway5b] = runs;
    const gateway5 = meanRun(gateway5a, gateway5b);
    const row = (count, label, run, direct) => [
      count,
      label,
      concurrency,
      fmt(run.rps, 0),
      fmt(run.p50),
      fmt(run.p99),
      fmt(run.bytes / 1024, 1),
      fmt(run.rps / direct.rps),
      run.errors.length,
    ];
    rows.push(row(FEW, 'direct upstream', direct5, direct5));
    rows.push(row(FEW, '/servers/{id}/mcp (mean of before/after)', gateway5, direct5));
    rows.push(row(settings.toolCount, 'direct upstream', direct500, direct500));
    rows.push(row(settings.toolCount, '/servers/{id}/mcp', gateway500, direct500));
    notes.push(
      `c=${concurrency}: /servers/{id}/mcp tools/list rate, ${settings.toolCount} tools ÷ ${FEW} tools = ` +
        `**${fmt(gateway500.rps / gateway5.rps)}** (target ≥ 0.80); directly: ${fmt(direct500.rps / direct5.rps)}; ` +
        `${FEW}-tool gateway runs before/after: ${fmt(gateway5a.rps, 0)} / ${fmt(gateway5b.rps, 0)} req/s`,
    );
  }
  printTable(
    ['tools', 'target', 'c', 'req/s', 'p50 ms', 'p99 ms', 'KiB/answer', 'vs direct', 'errors'],
    rows,
  );
  console.log('');
  for (const note of notes) console.log(`- ${note}`);
  return failures;
}
