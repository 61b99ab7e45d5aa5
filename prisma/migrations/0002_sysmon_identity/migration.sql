-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_TelemetryEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "datasetId" TEXT NOT NULL,
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
INSERT INTO "new_TelemetryEvent" ("accountName", "actionType", "datasetId", "deviceId", "deviceName", "fileName", "folderPath", "id", "initiatingProcessAccountName", "initiatingProcessCommandLine", "initiatingProcessCreationTime", "initiatingProcessFileName", "initiatingProcessFolderPath", "initiatingProcessId", "initiatingProcessParentFileName", "initiatingProcessParentId", "initiatingProcessSHA256", "kind", "localIp", "localPort", "processCommandLine", "processCreationTime", "processId", "protocol", "receivedBytes", "remoteIp", "remoteIpType", "remotePort", "remoteUrl", "reportId", "sentBytes", "sha256", "timeUs", "timestamp") SELECT "accountName", "actionType", "datasetId", "deviceId", "deviceName", "fileName", "folderPath", "id", "initiatingProcessAccountName", "initiatingProcessCommandLine", "initiatingProcessCreationTime", "initiatingProcessFileName", "initiatingProcessFolderPath", "initiatingProcessId", "initiatingProcessParentFileName", "initiatingProcessParentId", "initiatingProcessSHA256", "kind", "localIp", "localPort", "processCommandLine", "processCreationTime", "processId", "protocol", "receivedBytes", "remoteIp", "remoteIpType", "remotePort", "remoteUrl", "reportId", "sentBytes", "sha256", "timeUs", "timestamp" FROM "TelemetryEvent";
DROP TABLE "TelemetryEvent";
ALTER TABLE "new_TelemetryEvent" RENAME TO "TelemetryEvent";
CREATE INDEX "TelemetryEvent_kind_timeUs_idx" ON "TelemetryEvent"("kind", "timeUs");
CREATE INDEX "TelemetryEvent_datasetId_idx" ON "TelemetryEvent"("datasetId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

