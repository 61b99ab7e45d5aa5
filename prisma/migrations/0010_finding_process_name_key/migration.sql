-- The excluded-name lists are applied when findings are read (by this key), not when they are
-- computed. Stored findings were computed with them applied (and a reused PID could merge two
-- programs): they are dropped with the run that made them, so the server recomputes at start.
ALTER TABLE "Finding" ADD COLUMN "processNameKey" TEXT NOT NULL DEFAULT '';
DELETE FROM "Finding";
-- The failure record goes too: it would otherwise count as covering the owed run.
DELETE FROM "Setting" WHERE "key" IN ('detection.lastRun', 'detection.failure');
