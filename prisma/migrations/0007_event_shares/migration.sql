-- Datasets that also held an event another dataset stored first: a delete keeps what they hold.
CREATE TABLE "EventShare" (
    "eventId" INTEGER NOT NULL,
    "datasetId" TEXT NOT NULL,

    PRIMARY KEY ("eventId", "datasetId")
);

CREATE INDEX "EventShare_datasetId_idx" ON "EventShare"("datasetId");
