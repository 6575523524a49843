import { killChildrenOnExit, stopAll } from './lib/children.mjs';
import { startGateway } from './lib/gateway.mjs';
import { startFast } from './lib/upstreams.mjs';
import { echoCall, measure } from './lib/load.mjs';
killChildrenOnExit();
try {
  const fast = await startFast();
  const gateway = await startGateway({ profileDir: process.env.PROF });
  fast.proxyUrl = await gateway.register(fast.name, fast.url);
  const which = (process.env.WHICH ?? 'federated').split(',');
  for (const w of which) {
    const url = w === 'federated' ? `${gateway.url}/federated/mcp` : fast.proxyUrl;
    const tool = w === 'federated' ? `${fast.name}__${fast.tool}` : fast.tool;
    const run = await measure({
      url,
      token: await gateway.token(url),
      concurrency: 16,
      warmup: 300,
      requests: Number(process.env.N ?? 3000),
      timeoutMs: 10000,
      send: echoCall(tool, fast.argument),
      cpuPid: gateway.pid,
    });
    console.log(
      w,
      Math.round(run.rps),
      'req/s',
      run.p50.toFixed(2),
      'p50',
      Math.round(run.cpuUsPerCall),
      'cpu us/call',
      run.errors.length,
      'errors',
    );
  }
  await gateway.stop();
} finally {
  await stopAll();
}
