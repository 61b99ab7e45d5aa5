-- The process storing a running upload: an upload whose process is gone was cut off.
ALTER TABLE "Dataset" ADD COLUMN "ownerPid" INTEGER;
