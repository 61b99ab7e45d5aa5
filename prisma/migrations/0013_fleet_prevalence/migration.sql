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

-- The events already stored, with the keys binaryPrevalenceKeys and destinationPrevalenceKey give
-- (lower() folds ASCII only, as they do), for every dataset holding them (owner or share): a
-- binary by its folder and name, and by its SHA256 when known; an address called by an outbound
-- connection (OUTBOUND_CONNECTION_ACTIONS).
CREATE TEMP TABLE "Holder" AS SELECT "id" AS "eventId", "datasetId" FROM "TelemetryEvent" UNION SELECT "eventId", "datasetId" FROM "EventShare";
CREATE TEMP TABLE "Binary" AS
  SELECT e."id" AS "eventId", c."initiatingProcessSHA256" AS "sha256", c."initiatingProcessFolderPath" AS "folderPath", c."initiatingProcessFileName" AS "fileName"
  FROM "TelemetryEvent" e JOIN "ProcessContext" c ON c."id" = e."contextId"
  UNION ALL SELECT "id", "sha256", "folderPath", "fileName" FROM "TelemetryEvent" WHERE "kind" = 'process';
INSERT OR IGNORE INTO "DatasetPrevalence" ("kind", "key", "deviceName", "datasetId")
  SELECT 'binary', 'path:' || lower(coalesce(b."folderPath", '')) || '|' || lower(coalesce(b."fileName", '')), e."deviceName", h."datasetId"
  FROM temp."Binary" b JOIN "TelemetryEvent" e ON e."id" = b."eventId" JOIN temp."Holder" h ON h."eventId" = b."eventId";
INSERT OR IGNORE INTO "DatasetPrevalence" ("kind", "key", "deviceName", "datasetId")
  SELECT 'binary', 'sha256:' || lower(b."sha256"), e."deviceName", h."datasetId"
  FROM temp."Binary" b JOIN "TelemetryEvent" e ON e."id" = b."eventId" JOIN temp."Holder" h ON h."eventId" = b."eventId" WHERE coalesce(b."sha256", '') <> '';
INSERT OR IGNORE INTO "DatasetPrevalence" ("kind", "key", "deviceName", "datasetId")
  SELECT 'destination', lower(e."remoteIp"), e."deviceName", h."datasetId"
  FROM "TelemetryEvent" e JOIN temp."Holder" h ON h."eventId" = e."id"
  WHERE e."kind" = 'network' AND e."remoteIp" IS NOT NULL AND e."actionType" IN ('ConnectionSuccess', 'ConnectionFailed', 'ConnectionAttempt', 'ConnectionRequest');
DROP TABLE temp."Binary";
DROP TABLE temp."Holder";

-- Each finding's keys (its binary's, and a JSON array of the addresses it connected to), and the
-- counts it was last rated with (JSON): a run rates again only the findings whose counts changed. Stored findings lack them: they are
-- dropped with their run, so the server recomputes at start.
ALTER TABLE "Finding" ADD COLUMN "binaryKey" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Finding" ADD COLUMN "destinationKeys" TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "Finding" ADD COLUMN "ratedPrevalence" TEXT;
DELETE FROM "Finding";
DELETE FROM "Setting" WHERE "key" IN ('detection.lastRun', 'detection.failure');
