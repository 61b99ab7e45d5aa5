/**
 * A copy of `text` that shares no memory with the string it came from. Parsed fields are slices of
 * the megabyte-sized block of the upload they were read from, and V8 keeps the whole block alive
 * as long as any slice of it is referenced: anything kept for the length of an upload (its device
 * names, its listed errors) must be detached, or one block per device stays in memory.
 */
export function detachedCopy(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}
