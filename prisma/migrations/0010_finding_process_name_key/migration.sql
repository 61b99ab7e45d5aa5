-- The excluded-name lists are applied when findings are read (by this key), not when they are computed.
ALTER TABLE "Finding" ADD COLUMN "processNameKey" TEXT NOT NULL DEFAULT '';
UPDATE "Finding" SET "processNameKey" = lower("processName");
