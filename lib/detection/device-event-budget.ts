/**
 * How many events of one device detection may hold. Both modes relate the events of one device
 * at a time, so a device's events are in memory together; on a server with a bounded heap, a
 * device busier than the heap allows must be skipped and reported, never crash the server.
 */

/**
 * Heap one stored event costs while detection runs: about 400 bytes for the event itself
 * (measured, strings shared), plus the modes' indexes and findings over it. Calibrated on a
 * 192 MiB heap: 200,000 events of one device fit, 300,000 exhausted it.
 */
export const DETECTION_BYTES_PER_EVENT = 900;

/**
 * Heap kept for the rest of the server (Next itself, pages, uploads). A fixed share rather than
 * the heap in use now: that includes garbage not yet collected and would vary from run to run.
 */
export const SERVER_HEAP_RESERVE_BYTES = 96 * 1024 * 1024;

/**
 * Heap a distinct text costs on top of DETECTION_BYTES_PER_EVENT (equal texts are shared): V8's
 * string header and up to two bytes a character. Charged for every distinct text, short ones
 * included: rows of unique 1,000-character values would otherwise pass the event count and
 * exhaust the heap.
 */
export function distinctTextBytes(chars: number): number {
  return 16 + 2 * chars;
}

/** The most events of one device that fit in a heap of this limit; at least 0. */
export function maxEventsPerDevice(heapLimitBytes: number): number {
  return Math.max(0, Math.floor((heapLimitBytes - SERVER_HEAP_RESERVE_BYTES) / DETECTION_BYTES_PER_EVENT));
}
