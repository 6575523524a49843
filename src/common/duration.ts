const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `90`, `90s`, `30m`, `8h` or `7d` into seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[(match[2] || 's').toLowerCase()] ?? 1);
}
