-- A Windows system binary's name on an image outside its own folder is a masquerade: the
-- excluded-system-process list no longer hides it in the default mode. Stored findings lack the
-- flag: they are dropped with the run that made them, so the server recomputes at start.
ALTER TABLE "Finding" ADD COLUMN "outsideSystemFolder" BOOLEAN NOT NULL DEFAULT false;
DELETE FROM "Finding";
-- The failure record goes too: it would otherwise count as covering the owed run.
DELETE FROM "Setting" WHERE "key" IN ('detection.lastRun', 'detection.failure');
