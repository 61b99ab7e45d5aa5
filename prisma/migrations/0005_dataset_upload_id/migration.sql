-- The upload page names its upload, so it can follow the rows stored while it waits for the answer.
ALTER TABLE "Dataset" ADD COLUMN "uploadId" TEXT;

CREATE UNIQUE INDEX "Dataset_uploadId_key" ON "Dataset"("uploadId");
