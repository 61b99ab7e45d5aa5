-- CreateTable
CREATE TABLE "FindingTriage" (
    "findingId" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL,
    "classification" TEXT,
    "reason" TEXT,
    "assignee" TEXT,
    "tags" TEXT NOT NULL DEFAULT '[]',
    "resolvedMark" TEXT,
    "reopened" TEXT,
    "resolvedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "FindingNote" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "findingId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "author" TEXT NOT NULL,
    "text" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "FindingHistory" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "findingId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "from" TEXT,
    "to" TEXT
);

-- CreateTable
CREATE TABLE "SavedView" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "owner" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "FindingTriage_status_idx" ON "FindingTriage"("status");

-- CreateIndex
CREATE INDEX "FindingTriage_assignee_idx" ON "FindingTriage"("assignee");

-- CreateIndex
CREATE INDEX "FindingNote_findingId_id_idx" ON "FindingNote"("findingId", "id");

-- CreateIndex
CREATE INDEX "FindingHistory_findingId_id_idx" ON "FindingHistory"("findingId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "SavedView_owner_name_key" ON "SavedView"("owner", "name");
