-- CreateTable
CREATE TABLE "Suppression" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "conditions" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "expiresAt" DATETIME,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SuppressionHistory" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "suppressionId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "change" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT
);

-- CreateTable
CREATE TABLE "FindingSuppression" (
    "runId" TEXT NOT NULL,
    "findingId" TEXT NOT NULL,
    "suppressionId" TEXT NOT NULL,

    PRIMARY KEY ("runId", "findingId", "suppressionId")
);

-- CreateIndex
CREATE INDEX "SuppressionHistory_suppressionId_id_idx" ON "SuppressionHistory"("suppressionId", "id");

-- CreateIndex
CREATE INDEX "FindingSuppression_suppressionId_idx" ON "FindingSuppression"("suppressionId");
