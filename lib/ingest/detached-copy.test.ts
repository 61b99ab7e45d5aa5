import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";
import { detachedCopy } from "./detached-copy";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** Heap still in use after a full collection, in MiB, while `kept` is alive. */
function retainedMiB(kept: unknown): number {
  collectGarbage();
  const used = process.memoryUsage().heapUsed / 1048576;
  expect(kept).toBeTruthy();
  return used;
}

/** A device name sliced out of one 32 MiB block of an upload, as the stream parser reads fields. */
function deviceNameFromBlock(keep: (slice: string) => string): string {
  const block = `${"x".repeat(32 * 1048576)},bench-0001.corp.example,`;
  const start = block.indexOf(",") + 1;
  return keep(block.slice(start, block.indexOf(",", start)));
}

it("keeps a device name without the 32 MiB block it was sliced from (a plain slice keeps the block)", () => {
  const baseline = retainedMiB(true);
  const retainedBySlice = (() => {
    const slice = deviceNameFromBlock((name) => name);
    return retainedMiB(slice) - baseline;
  })();
  expect(retainedBySlice).toBeGreaterThan(28);

  const copy = deviceNameFromBlock(detachedCopy);
  expect(copy).toBe("bench-0001.corp.example");
  expect(retainedMiB(copy) - baseline).toBeLessThan(4);
});
