/**
 * Child processes of the bench: every upstream, forwarder and the gateway runs in its own process so the load
 * generator's CPU is not mixed into theirs. Everything spawned here is remembered and killed when the bench ends,
 * fails or is interrupted (Ctrl-C), so a failed run never leaves servers listening behind it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { clearTimeout, setTimeout } from 'node:timers';

/** Children run in the repository root, so their paths (bin/, bench/, node_modules/) work from any directory. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children = new Set();
/** How long a child gets after SIGTERM before SIGKILL (the gateway drains streams on shutdown). */
const KILL_GRACE_MS = 5_000;

/**
 * Starts `node ...args` and resolves once a line of its output matches `ready` (its URL or "listening" line), with
 * the match. stdout is always read, and discarded once the ready line is in: the reference server logs every request
 * there, and a pipe nobody reads would block it. stderr goes to ours, so upstream errors stay visible.
 */
export function startChild(name, args, { env = {}, ready, stream = 'stdout', timeoutMs = 60_000 } = {}) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', stream === 'stderr' ? 'pipe' : 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdout.resume();
  const watched = stream === 'stderr' ? child.stderr : child.stdout;
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => fail(new Error(`${name} printed no ready line in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (chunk) => {
      seen = (seen + chunk.toString()).slice(-4096);
      // Complete lines only: a URL split over two chunks must not match half-printed.
      const match = seen.slice(0, seen.lastIndexOf('\n') + 1).match(ready);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      // Keep consuming the stream (stderr is forwarded from now on: the ready line itself is noise).
      watched.off('data', onData);
      if (stream === 'stderr') watched.pipe(process.stderr);
      resolve({ child, pid: child.pid, match });
    };
    const onExit = (code, signal) =>
      fail(new Error(`${name} exited (${code ?? signal}) before it was ready: ${seen.trim()}`));
    function fail(error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }
    watched.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Like `startChild` without waiting for a line: for the gateway, whose readiness is its /ready endpoint. Its stdout
 * (the JSON log) is dropped unless `stdout` is a file descriptor to append it to.
 */
export function spawnChild(args, env, { stdout = 'ignore' } = {}) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
export function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function stopAll() {
  return Promise.all([...children].map(stopChild));
}

let installed = false;
let stopping = false;

/** Throws once the bench was interrupted, so the scenarios stop instead of measuring processes already killed. */
export function checkNotStopping() {
  if (stopping) throw new Error('interrupted');
}

export function isStopping() {
  return stopping;
}

/** Ctrl-C or a kill stops every child before the bench exits; `exit` is the last resort (synchronous, so SIGKILL). */
export function killChildrenOnExit() {
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      stopping = true;
      console.error(`\n${signal}: stopping the bench's processes`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}

/** A free TCP port on 127.0.0.1, for servers that take their port from the environment instead of printing it. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resident memory of a process in MiB, from /proc (Linux); undefined elsewhere or once it has exited. */
export function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1]);
    return Number.isFinite(kib) ? kib / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc; undefined when unreadable. The CPU a proxy
 * spends per call is the one number a busy, shared machine does not blur: throughput ratios move with whatever else
 * runs on the cores, CPU per call hardly does.
 */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;
