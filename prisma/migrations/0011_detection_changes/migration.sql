-- What each change detection must reflect touched: the devices whose events it added or removed
-- (a JSON array of device names), or NULL for a change to what every device is computed from
-- (settings, lists, as-of). A run that follows only device changes reruns only those devices.
CREATE TABLE "DetectionChange" (
    "generation" INTEGER NOT NULL PRIMARY KEY,
    "devices" TEXT
);
