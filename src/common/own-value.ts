/**
 * `record[key]` for maps kept as plain objects whose keys come from callers (tool names): only the record's own
 * entries count, so a name like `constructor` or `__proto__` reads as absent instead of an inherited function.
 */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
