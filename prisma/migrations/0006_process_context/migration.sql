-- What the initiating process was moves out of every event row into ProcessContext, one row per
-- process: narrower rows are most of what a bulk insert saves. The dataset stops being a foreign
-- key with an index on every row (both cost each insert; removing a dataset may scan instead).
CREATE TABLE "ProcessContext" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "initiatingProcessFileName" TEXT,
    "initiatingProcessFolderPath" TEXT,
    "initiatingProcessId" INTEGER,
    "initiatingProcessCommandLine" TEXT,
    "initiatingProcessCreationTime" TEXT,
    "initiatingProcessAccountName" TEXT,
    "initiatingProcessSHA256" TEXT,
    "initiatingProcessParentFileName" TEXT,
    "initiatingProcessParentId" INTEGER,
    "initiatingProcessGuid" TEXT
);

-- Contexts of stored events are numbered here (the app gives new ones hash ids).
INSERT INTO "ProcessContext" ("initiatingProcessFileName", "initiatingProcessFolderPath", "initiatingProcessId", "initiatingProcessCommandLine", "initiatingProcessCreationTime", "initiatingProcessAccountName", "initiatingProcessSHA256", "initiatingProcessParentFileName", "initiatingProcessParentId", "initiatingProcessGuid")
SELECT DISTINCT "initiatingProcessFileName", "initiatingProcessFolderPath", "initiatingProcessId", "initiatingProcessCommandLine", "initiatingProcessCreationTime", "initiatingProcessAccountName", "initiatingProcessSHA256", "initiatingProcessParentFileName", "initiatingProcessParentId", "initiatingProcessGuid" FROM "TelemetryEvent";
CREATE INDEX "ProcessContext_migration_idx" ON "ProcessContext" ("initiatingProcessFileName", "initiatingProcessFolderPath", "initiatingProcessId", "initiatingProcessCommandLine", "initiatingProcessCreationTime", "initiatingProcessAccountName", "initiatingProcessSHA256", "initiatingProcessParentFileName", "initiatingProcessParentId", "initiatingProcessGuid");

PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_TelemetryEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "datasetId" TEXT NOT NULL,
    "eventKey" BIGINT NOT NULL,
    "contextId" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "timestamp" TEXT NOT NULL,
    "timeUs" REAL NOT NULL,
    "deviceId" TEXT,
    "deviceName" TEXT NOT NULL,
    "actionType" TEXT NOT NULL,
    "fileName" TEXT,
    "folderPath" TEXT,
    "processId" INTEGER,
    "processCommandLine" TEXT,
    "processCreationTime" TEXT,
    "accountName" TEXT,
    "sha256" TEXT,
    "remoteIp" TEXT,
    "remotePort" INTEGER,
    "remoteIpType" TEXT,
    "remoteUrl" TEXT,
    "localIp" TEXT,
    "localPort" INTEGER,
    "protocol" TEXT,
    "sentBytes" REAL,
    "receivedBytes" REAL,
    "reportId" TEXT,
    "processGuid" TEXT,
    "loggedAt" TEXT,
    "source" TEXT NOT NULL DEFAULT 'mde'
);
INSERT INTO "new_TelemetryEvent" ("id", "datasetId", "eventKey", "kind", "timestamp", "timeUs", "deviceId", "deviceName", "actionType", "fileName", "folderPath", "processId", "processCommandLine", "processCreationTime", "accountName", "sha256", "remoteIp", "remotePort", "remoteIpType", "remoteUrl", "localIp", "localPort", "protocol", "sentBytes", "receivedBytes", "reportId", "processGuid", "loggedAt", "source", "contextId")
SELECT e."id", e."datasetId", e."eventKey", e."kind", e."timestamp", e."timeUs", e."deviceId", e."deviceName", e."actionType", e."fileName", e."folderPath", e."processId", e."processCommandLine", e."processCreationTime", e."accountName", e."sha256", e."remoteIp", e."remotePort", e."remoteIpType", e."remoteUrl", e."localIp", e."localPort", e."protocol", e."sentBytes", e."receivedBytes", e."reportId", e."processGuid", e."loggedAt", e."source",
       (SELECT c."id" FROM "ProcessContext" c WHERE c."initiatingProcessFileName" IS e."initiatingProcessFileName" AND c."initiatingProcessFolderPath" IS e."initiatingProcessFolderPath" AND c."initiatingProcessId" IS e."initiatingProcessId" AND c."initiatingProcessCommandLine" IS e."initiatingProcessCommandLine" AND c."initiatingProcessCreationTime" IS e."initiatingProcessCreationTime" AND c."initiatingProcessAccountName" IS e."initiatingProcessAccountName" AND c."initiatingProcessSHA256" IS e."initiatingProcessSHA256" AND c."initiatingProcessParentFileName" IS e."initiatingProcessParentFileName" AND c."initiatingProcessParentId" IS e."initiatingProcessParentId" AND c."initiatingProcessGuid" IS e."initiatingProcessGuid")
FROM "TelemetryEvent" e;
DROP TABLE "TelemetryEvent";
ALTER TABLE "new_TelemetryEvent" RENAME TO "TelemetryEvent";
CREATE UNIQUE INDEX "TelemetryEvent_deviceName_timeUs_eventKey_key" ON "TelemetryEvent"("deviceName", "timeUs", "eventKey");
DROP INDEX "ProcessContext_migration_idx";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
