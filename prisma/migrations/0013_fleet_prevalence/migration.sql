-- Fleet prevalence (lib/detection/fleet-prevalence): the devices on which each upload shows a
-- binary running or an address being called. Rows are added as batches are stored and removed
-- with their upload; a detection run counts devices over complete uploads, never reading events.
CREATE TABLE "DatasetPrevalence" (
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "deviceName" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    PRIMARY KEY ("kind", "key", "deviceName", "datasetId")
);
CREATE INDEX "DatasetPrevalence_datasetId_idx" ON "DatasetPrevalence"("datasetId");

-- The events already stored, with the keys binaryPrevalenceKey and destinationPrevalenceKey give
-- (lower() folds ASCII only, as they do), for every dataset holding them (owner or share).
CREATE TEMP TABLE "Holder" AS SELECT "id" AS "eventId", "datasetId" FROM "TelemetryEvent" UNION SELECT "eventId", "datasetId" FROM "EventShare";
INSERT OR IGNORE INTO "DatasetPrevalence" ("kind", "key", "deviceName", "datasetId")
  SELECT 'binary',
    CASE WHEN coalesce(c."initiatingProcessSHA256", '') <> '' THEN 'sha256:' || lower(c."initiatingProcessSHA256")
         ELSE 'path:' || lower(coalesce(c."initiatingProcessFolderPath", '')) || '|' || lower(coalesce(c."initiatingProcessFileName", '')) END,
    e."deviceName", h."datasetId"
  FROM "TelemetryEvent" e JOIN "ProcessContext" c ON c."id" = e."contextId" JOIN temp."Holder" h ON h."eventId" = e."id";
INSERT OR IGNORE INTO "DatasetPrevalence" ("kind", "key", "deviceName", "datasetId")
  SELECT 'binary',
    CASE WHEN coalesce(e."sha256", '') <> '' THEN 'sha256:' || lower(e."sha256")
         ELSE 'path:' || lower(coalesce(e."folderPath", '')) || '|' || lower(coalesce(e."fileName", '')) END,
    e."deviceName", h."datasetId"
  FROM "TelemetryEvent" e JOIN temp."Holder" h ON h."eventId" = e."id" WHERE e."kind" = 'process';
INSERT OR IGNORE INTO "DatasetPrevalence" ("kind", "key", "deviceName", "datasetId")
  SELECT 'destination', lower(e."remoteIp"), e."deviceName", h."datasetId"
  FROM "TelemetryEvent" e JOIN temp."Holder" h ON h."eventId" = e."id" WHERE e."kind" = 'network' AND e."remoteIp" IS NOT NULL;
DROP TABLE temp."Holder";

-- Each finding's keys, and the counts it was last rated with ("binary/destination/fleet"): a
-- run rates again only the findings whose counts changed. Stored findings lack them: they are
-- dropped with their run, so the server recomputes at start.
ALTER TABLE "Finding" ADD COLUMN "binaryKey" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Finding" ADD COLUMN "destinationKey" TEXT;
ALTER TABLE "Finding" ADD COLUMN "ratedPrevalence" TEXT;
DELETE FROM "Finding";
DELETE FROM "Setting" WHERE "key" IN ('detection.lastRun', 'detection.failure');
