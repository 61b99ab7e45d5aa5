/**
 * The server modules a detection integration test drives: upload, datasets, detection, settings,
 * findings and the database. Imported after useThrowawayDatabase has set DATABASE_URL (they read
 * it when first loaded), so call this in a beforeAll.
 */
export async function importDetectionModules() {
  return {
    ingest: await import("../server/ingest-upload"),
    datasets: await import("../server/dataset-store"),
    detection: await import("../server/run-detection"),
    settings: await import("../server/detection-settings"),
    findings: await import("../server/findings-store"),
    db: await import("../server/db"),
  };
}

export type DetectionModules = Awaited<ReturnType<typeof importDetectionModules>>;
