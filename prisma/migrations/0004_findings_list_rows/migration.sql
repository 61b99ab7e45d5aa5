-- Findings gain their list row, search text and rank, so lists are paged in the database.
-- Findings are derived data: rather than converting stored runs, drop them and the record of
-- the last run; the app reruns detection the first time findings are read without a run.
DROP TABLE "Finding";
CREATE TABLE "Finding" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "deviceName" TEXT NOT NULL,
    "processName" TEXT NOT NULL,
    "beaconLikely" BOOLEAN NOT NULL,
    "connectionCount" INTEGER NOT NULL,
    "rank" INTEGER NOT NULL DEFAULT 0,
    "listRow" TEXT NOT NULL,
    "searchText" TEXT NOT NULL,
    "row" TEXT NOT NULL,
    "evidence" TEXT NOT NULL,

    PRIMARY KEY ("runId", "id")
);
CREATE INDEX "Finding_runId_mode_rank_idx" ON "Finding"("runId", "mode", "rank");
DELETE FROM "Setting" WHERE "key" = 'detection.lastRun';
