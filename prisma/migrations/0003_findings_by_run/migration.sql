-- Findings are kept per detection run (written as found, the previous run removed when one finishes)
-- and ranked when read, so a run neither holds a fleet's findings in memory nor rewrites them.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Finding" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "deviceName" TEXT NOT NULL,
    "processName" TEXT NOT NULL,
    "beaconLikely" BOOLEAN NOT NULL,
    "connectionCount" INTEGER NOT NULL,
    "row" TEXT NOT NULL,
    "evidence" TEXT NOT NULL,

    PRIMARY KEY ("runId", "id")
);
INSERT INTO "new_Finding" ("beaconLikely", "connectionCount", "deviceName", "evidence", "id", "mode", "processName", "row", "runId") SELECT "beaconLikely", "connectionCount", "deviceName", "evidence", "id", "mode", "processName", "row", "runId" FROM "Finding";
DROP TABLE "Finding";
ALTER TABLE "new_Finding" RENAME TO "Finding";
CREATE INDEX "Finding_runId_mode_idx" ON "Finding"("runId", "mode");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

