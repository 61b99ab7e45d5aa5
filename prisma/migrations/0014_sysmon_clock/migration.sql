-- Sysmon's own UtcTime, kept when an event was placed by the collector's time because UtcTime
-- contradicted its process's creation (lib/ingest/sysmon-clock). Events stored before were not
-- reconciled: uploading their capture again stores the placed events beside them.
ALTER TABLE "TelemetryEvent" ADD COLUMN "clockCorrectedFrom" TEXT;
