import { PGlite } from '@electric-sql/pglite';

/**
 * PostgreSQL settings of the embedded database, given to PGlite as `-c` start options at every start. Nothing is
 * written to the data directory's postgresql.conf, so existing directories get them too and a change needs no
 * migration. See docs/adr/0010-embedded-database-memory-and-boot.md for the measurements.
 *
 * shared_buffers: initdb's 128 MB buffer pool is allocated and zeroed inside PGlite's WebAssembly memory at every
 * start, and WebAssembly memory is never given back, so it stayed resident for the life of the process (about 125 MB
 * of RSS) and cost part of the start time. 16 MB is enough for the registry and the pages audit inserts touch; PGlite
 * reads its files with ordinary reads, so pages outside the pool still come from the operating system's page cache.
 *
 * Left at their defaults on purpose: work_mem and maintenance_work_mem are per-operation limits, not allocated
 * up front; fsync is already off in PGlite's defaults and cannot matter here (the ADR explains why).
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
};

/**
 * PGlite's start arguments with our settings appended. PGlite replaces (not extends) its defaults with any
 * `startParams` given, and those defaults carry what it needs to run (single-user mode, no worker processes), so
 * they are kept and ours are appended.
 */
export function pgliteStartParams(): string[] {
  const settings = Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  return [...PGlite.defaultStartParams, ...settings];
}
