-- CreateTable
CREATE TABLE "Dataset" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fileName" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "tables" TEXT NOT NULL,
    "accepted" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "ignored" INTEGER NOT NULL DEFAULT 0,
    "errors" TEXT NOT NULL DEFAULT '[]',
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'running',
    "uploadedBy" TEXT NOT NULL DEFAULT 'api',
    "timeFrom" TEXT,
    "timeTo" TEXT,
    "devices" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "TelemetryEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "datasetId" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
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

-- CreateTable
CREATE TABLE "AllowlistEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "list" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "valueKey" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "mode" TEXT NOT NULL,
    "rank" INTEGER NOT NULL,
    "deviceName" TEXT NOT NULL,
    "processName" TEXT NOT NULL,
    "beaconLikely" BOOLEAN NOT NULL,
    "connectionCount" INTEGER NOT NULL,
    "row" TEXT NOT NULL,
    "evidence" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "TelemetryEvent_eventKey_key" ON "TelemetryEvent"("eventKey");

-- CreateIndex
CREATE INDEX "TelemetryEvent_datasetId_idx" ON "TelemetryEvent"("datasetId");

-- CreateIndex
CREATE INDEX "TelemetryEvent_deviceName_idx" ON "TelemetryEvent"("deviceName");

-- CreateIndex
CREATE UNIQUE INDEX "AllowlistEntry_list_valueKey_key" ON "AllowlistEntry"("list", "valueKey");

-- CreateIndex
CREATE INDEX "Finding_mode_rank_idx" ON "Finding"("mode", "rank");

