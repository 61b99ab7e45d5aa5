import { expect, test } from "@playwright/test";

// The e2e server runs with CW_MAX_UPLOAD_BYTES=8 MiB (playwright.config.ts).
const ROW_HEADER = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessId";

test("POST /api/ingest takes a raw body and answers the per-file result", async ({ request }) => {
  const response = await request.post("/api/ingest", {
    headers: { "x-file-name": "api-raw.csv" },
    data: `${ROW_HEADER}\n2026-11-24T07:00:00.1234567Z,api-host,ImageLoaded,kernel32.dll,8\n2026-11-24T07:00:01Z,api-host,ImageLoaded,,8\n`,
  });
  expect(response.status()).toBe(201);
  const body = await response.json();
  expect(body).toMatchObject({
    fileName: "api-raw.csv",
    format: "csv",
    table: "DeviceImageLoadEvents",
    accepted: 1,
    rejected: 1,
    ignored: 0,
    errors: [{ line: 3, message: "FileName: required for ImageLoaded rows" }],
  });
  expect(body.datasetId).toMatch(/^\w{20,}$/);
});

test("POST /api/ingest?detection=later stores the file and leaves the detection run to a later request", async ({ request }) => {
  const later = await request.post("/api/ingest?detection=later", {
    headers: { "x-file-name": "api-later.csv" },
    data: `${ROW_HEADER}\n2026-11-24T07:00:02Z,api-host,ImageLoaded,kernel32.dll,9\n`,
  });
  expect(later.status()).toBe(201);
  expect(await later.json()).toMatchObject({ fileName: "api-later.csv", accepted: 1, detection: null });

  const unknown = await request.post("/api/ingest?detection=soon", { headers: { "x-file-name": "api-soon.csv" }, data: `${ROW_HEADER}\n` });
  expect(unknown.status()).toBe(422);
  expect((await unknown.json()).error.details).toEqual([{ path: "detection", message: "detection must be now or later." }]);
});

test("POST /api/ingest takes multipart uploads", async ({ request }) => {
  const response = await request.post("/api/ingest", {
    multipart: {
      file: { name: "api-multipart.ndjson", mimeType: "application/x-ndjson", buffer: Buffer.from(JSON.stringify({ Timestamp: "2026-11-24T07:00:00Z", DeviceName: "api-host", ActionType: "ProcessCreated", FileName: "cmd.exe", ProcessId: 12 })) },
    },
  });
  expect(response.status()).toBe(201);
  expect(await response.json()).toMatchObject({ fileName: "api-multipart.ndjson", format: "ndjson", table: "DeviceProcessEvents", accepted: 1, rejected: 0 });
});

test("POST /api/ingest refuses what it cannot read with a JSON error and no stack trace", async ({ request }) => {
  const notTelemetry = await request.post("/api/ingest", { data: "just some words\nmore words\n" });
  expect(notTelemetry.status()).toBe(422);
  const body = await notTelemetry.json();
  expect(body.error.code).toBe("invalid_file");
  expect(body.error.message).toContain("not a Defender Advanced Hunting export");
  expect(JSON.stringify(body)).not.toContain("at ");

  const empty = await request.post("/api/ingest", { data: "" });
  expect(empty.status()).toBe(400);

  const tooLarge = await request.post("/api/ingest", { data: Buffer.alloc(9 * 1024 * 1024, "a") });
  expect(tooLarge.status()).toBe(413);
  expect((await tooLarge.json()).error.code).toBe("file_too_large");
});

test("GET /api/findings rejects an unknown mode", async ({ request }) => {
  const response = await request.get("/api/findings?mode=fancy");
  expect(response.status()).toBe(422);
  expect((await response.json()).error).toEqual({ code: "validation_failed", message: "The request is not valid.", details: [{ path: "mode", message: "mode must be default or kql" }] });
});
