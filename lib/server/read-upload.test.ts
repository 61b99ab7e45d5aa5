import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./api-error";
import { readUpload } from "./read-upload";

const LIMIT = 1024 * 1024;

async function text(chunks: AsyncIterable<string | Uint8Array>): Promise<string> {
  let all = "";
  for await (const chunk of chunks) {
    if (typeof chunk !== "string") throw new Error("A text upload was handed on as bytes.");
    all += chunk;
  }
  return all;
}

function multipart(form: FormData): Request {
  return new Request("http://cw.test/api/ingest", { method: "POST", body: form });
}

async function expectApiError(work: Promise<unknown>, status: number, code: string) {
  const error = await work.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ApiError);
  expect([(error as ApiError).status, (error as ApiError).code]).toEqual([status, code]);
}

describe("readUpload, multipart", () => {
  it("reads the file field and its name, ignoring other fields", async () => {
    const form = new FormData();
    form.append("note", "ignored");
    form.append("file", new Blob(["Timestamp,DeviceName\n2024-01-01T00:00:00Z,ws-1\n"]), "..\\exports\\loads.csv");
    const upload = await readUpload(multipart(form), LIMIT);
    expect(upload.fileName).toBe("loads.csv");
    expect(await text(upload.chunks)).toBe("Timestamp,DeviceName\n2024-01-01T00:00:00Z,ws-1\n");
  });

  it("streams the file: its first part is readable while the rest of the body has not arrived", async () => {
    const boundary = "cw-boundary";
    const encoder = new TextEncoder();
    let finish!: () => void;
    const rest = new Promise<void>((resolve) => (finish = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\nfirst part,`));
        await rest;
        controller.enqueue(encoder.encode(`second part\r\n--${boundary}--\r\n`));
        controller.close();
      },
    });
    const request = new Request("http://cw.test/api/ingest", { method: "POST", body, duplex: "half", headers: { "content-type": `multipart/form-data; boundary=${boundary}` } } as RequestInit);
    const upload = await readUpload(request, LIMIT);
    const iterator = upload.chunks[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe("first part,");
    finish();
    let remaining = "";
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) remaining += next.value;
    expect(remaining).toBe("second part");
  });

  it("refuses a body without a file, and fails an upload that carries a second file", async () => {
    const noFile = new FormData();
    noFile.append("note", "no file here");
    await expectApiError(readUpload(multipart(noFile), LIMIT), 400, "one_file_expected");

    const twoFiles = new FormData();
    twoFiles.append("file", new Blob(["a,b\n"]), "one.csv");
    twoFiles.append("file", new Blob(["c,d\n"]), "two.csv");
    const upload = await readUpload(multipart(twoFiles), LIMIT);
    await expectApiError(text(upload.chunks), 400, "one_file_expected");
  });

  it("answers 413 when the file passes the limit", async () => {
    const form = new FormData();
    form.append("file", new Blob(["x".repeat(2048)]), "big.csv");
    const upload = await readUpload(multipart(form), 1024);
    const error = await text(upload.chunks).then(() => null, (caught: unknown) => caught);
    expect((error as { status: number }).status).toBe(413);
  });
});

describe("readUpload, multipart cut short", () => {
  it("fails the file's text when the body ends before its closing boundary", async () => {
    const request = new Request("http://cw.test/api/ingest", {
      method: "POST",
      body: `--b\r\nContent-Disposition: form-data; name="file"; filename="cut.csv"\r\n\r\nsome rows`,
      headers: { "content-type": "multipart/form-data; boundary=b" },
    });
    const upload = await readUpload(request, LIMIT);
    await expectApiError(text(upload.chunks), 400, "malformed_multipart");
  });
});

describe("readUpload, a file refused part way", () => {
  /** A body of `parts` 64 KiB parts that records how many were read. */
  function countedBody(parts: number) {
    let read = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (read === parts) return controller.close();
        read++;
        controller.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
      },
    });
    return { body, read: () => read };
  }

  it("reads and drops the rest of a raw body, so the client gets the answer rather than a reset", async () => {
    const { body, read } = countedBody(40);
    const request = new Request("http://cw.test/api/ingest", { method: "POST", body, duplex: "half" } as RequestInit);
    const upload = await readUpload(request, 64 * LIMIT);
    // The parser stops after the first chunk (a refused file).
    for await (const chunk of upload.chunks) if (chunk) break;
    expect(read()).toBeLessThan(40);
    await upload.discardRest();
    expect(read()).toBe(40);
  });

  it("lets the multipart parser read the rest of the body, dropping the file's unread part", async () => {
    const boundary = "cw-boundary";
    const encoder = new TextEncoder();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        if (sent === 1) controller.enqueue(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n`));
        else if (sent <= 40) controller.enqueue(encoder.encode("x".repeat(64 * 1024)));
        else {
          controller.enqueue(encoder.encode(`\r\n--${boundary}--\r\n`));
          controller.close();
        }
      },
    });
    const request = new Request("http://cw.test/api/ingest", { method: "POST", body, duplex: "half", headers: { "content-type": `multipart/form-data; boundary=${boundary}` } } as RequestInit);
    const upload = await readUpload(request, 64 * LIMIT);
    for await (const chunk of upload.chunks) if (chunk) break;
    expect(sent).toBeLessThan(41);
    await upload.discardRest();
    expect(sent).toBe(41);
  });

  it("gives up on a client that stops sending without closing, at the deadline, and answers", async () => {
    vi.useFakeTimers();
    try {
      const stalled = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        },
      });
      const request = new Request("http://cw.test/api/ingest", { method: "POST", body: stalled, duplex: "half" } as RequestInit);
      const upload = await readUpload(request, LIMIT);
      let finished = false;
      const discarding = upload.discardRest().then(() => (finished = true));
      await vi.advanceTimersByTimeAsync(9_999);
      expect(finished).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await discarding;
      expect(finished).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
