import "server-only";
import { allowlistValueKey, validateAllowlistValue } from "../detection/allowlist-entry-schema";
import { DETECTION_LIST_NAMES, SEED_QUERY_LISTS, type DetectionListName, type DetectionLists } from "../detection/detection-lists";
import { ApiError } from "./api-error";
import { prisma } from "./db";

export interface AllowlistEntryView {
  id: string;
  list: DetectionListName;
  value: string;
}

const DEFAULTS_SEEDED = "allowlists.defaultsSeeded";

/** Creates the seed query's lists once; after that an emptied list stays empty. */
export async function ensureDefaultAllowlists(): Promise<void> {
  const seeded = await prisma.setting.findUnique({ where: { key: DEFAULTS_SEEDED } });
  if (seeded) return;
  await prisma.$transaction([
    prisma.allowlistEntry.createMany({
      data: DETECTION_LIST_NAMES.flatMap((list) =>
        SEED_QUERY_LISTS[list].map((value) => ({ list, value: String(value), valueKey: allowlistValueKey(String(value)) })),
      ),
    }),
    prisma.setting.create({ data: { key: DEFAULTS_SEEDED, value: "true" } }),
  ]);
}

export async function listAllowlistEntries(): Promise<AllowlistEntryView[]> {
  await ensureDefaultAllowlists();
  const entries = await prisma.allowlistEntry.findMany();
  return entries
    .map((entry) => ({ id: entry.id, list: entry.list as DetectionListName, value: entry.value }))
    .sort((a, b) => a.list.localeCompare(b.list) || compareValues(a.value, b.value));
}

/** Ports in numeric order, names alphabetically ignoring case. */
function compareValues(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b, "en", { sensitivity: "base" });
}

export async function loadDetectionLists(): Promise<DetectionLists> {
  const lists: DetectionLists = { cryptoLibraries: [], excludedSystemProcesses: [], excludedBrowsers: [], standardPorts: [] };
  for (const entry of await listAllowlistEntries()) {
    if (entry.list === "standardPorts") lists.standardPorts.push(Number(entry.value));
    else lists[entry.list].push(entry.value);
  }
  return lists;
}

async function entriesOf(list: DetectionListName) {
  return prisma.allowlistEntry.findMany({ where: { list }, select: { id: true, value: true } });
}

function validOrThrow(list: DetectionListName, value: string, existing: { id: string; value: string }[], exceptId?: string) {
  const validated = validateAllowlistValue(list, value, existing, exceptId);
  if (!validated.ok) throw new ApiError(422, "invalid_value", validated.message, { field: "value", message: validated.message });
  return validated;
}

export async function addAllowlistEntry(list: DetectionListName, value: string): Promise<AllowlistEntryView> {
  await ensureDefaultAllowlists();
  const validated = validOrThrow(list, value, await entriesOf(list));
  const entry = await prisma.allowlistEntry.create({ data: { list, value: validated.value, valueKey: validated.key } });
  return { id: entry.id, list, value: entry.value };
}

/** The entry as changed, and the value it had (for the audit log). */
export async function updateAllowlistEntry(id: string, value: string): Promise<{ entry: AllowlistEntryView; previousValue: string }> {
  const current = await prisma.allowlistEntry.findUnique({ where: { id } });
  if (!current) throw new ApiError(404, "not_found", "That allowlist entry no longer exists.");
  const list = current.list as DetectionListName;
  const validated = validOrThrow(list, value, await entriesOf(list), id);
  const entry = await prisma.allowlistEntry.update({ where: { id }, data: { value: validated.value, valueKey: validated.key } });
  return { entry: { id: entry.id, list, value: entry.value }, previousValue: current.value };
}

/** Removes an entry; answers what it was (for the audit log). */
export async function removeAllowlistEntry(id: string): Promise<AllowlistEntryView> {
  const entry = await prisma.allowlistEntry.findUnique({ where: { id } });
  const { count } = await prisma.allowlistEntry.deleteMany({ where: { id } });
  if (!entry || count === 0) throw new ApiError(404, "not_found", "That allowlist entry no longer exists.");
  return { id: entry.id, list: entry.list as DetectionListName, value: entry.value };
}
