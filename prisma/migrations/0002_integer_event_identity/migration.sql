-- Event identity becomes (deviceName, timeUs, integer eventKey): one small, local unique index
-- instead of a random text key plus a device index. Rows copied here keep their old text keys
-- until the app recomputes them (lib/server/event-store.ts), as SQL cannot compute the new hash.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_TelemetryEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "datasetId" TEXT NOT NULL,
    "eventKey" BIGINT NOT NULL,
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
    "initiatingProcessFileName" TEXT,
    "initiatingProcessFolderPath" TEXT,
    "initiatingProcessId" INTEGER,
    "initiatingProcessCommandLine" TEXT,
    "initiatingProcessCreationTime" TEXT,
    "initiatingProcessAccountName" TEXT,
    "initiatingProcessSHA256" TEXT,
    "initiatingProcessParentFileName" TEXT,
    "initiatingProcessParentId" INTEGER,
    "reportId" TEXT,
    "processGuid" TEXT,
    "initiatingProcessGuid" TEXT,
    "loggedAt" TEXT,
    "source" TEXT NOT NULL DEFAULT 'mde',
    CONSTRAINT "TelemetryEvent_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_TelemetryEvent" ("accountName", "actionType", "datasetId", "deviceId", "deviceName", "eventKey", "fileName", "folderPath", "id", "initiatingProcessAccountName", "initiatingProcessCommandLine", "initiatingProcessCreationTime", "initiatingProcessFileName", "initiatingProcessFolderPath", "initiatingProcessGuid", "initiatingProcessId", "initiatingProcessParentFileName", "initiatingProcessParentId", "initiatingProcessSHA256", "kind", "localIp", "localPort", "loggedAt", "processCommandLine", "processCreationTime", "processGuid", "processId", "protocol", "receivedBytes", "remoteIp", "remoteIpType", "remotePort", "remoteUrl", "reportId", "sentBytes", "sha256", "source", "timeUs", "timestamp") SELECT "accountName", "actionType", "datasetId", "deviceId", "deviceName", "eventKey", "fileName", "folderPath", "id", "initiatingProcessAccountName", "initiatingProcessCommandLine", "initiatingProcessCreationTime", "initiatingProcessFileName", "initiatingProcessFolderPath", "initiatingProcessGuid", "initiatingProcessId", "initiatingProcessParentFileName", "initiatingProcessParentId", "initiatingProcessSHA256", "kind", "localIp", "localPort", "loggedAt", "processCommandLine", "processCreationTime", "processGuid", "processId", "protocol", "receivedBytes", "remoteIp", "remoteIpType", "remotePort", "remoteUrl", "reportId", "sentBytes", "sha256", "source", "timeUs", "timestamp" FROM "TelemetryEvent";
DROP TABLE "TelemetryEvent";
ALTER TABLE "new_TelemetryEvent" RENAME TO "TelemetryEvent";
CREATE INDEX "TelemetryEvent_datasetId_idx" ON "TelemetryEvent"("datasetId");
CREATE UNIQUE INDEX "TelemetryEvent_deviceName_timeUs_eventKey_key" ON "TelemetryEvent"("deviceName", "timeUs", "eventKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

INSERT INTO "Setting" ("key", "value") SELECT 'eventKeysPending', 'text' WHERE EXISTS (SELECT 1 FROM "TelemetryEvent");
