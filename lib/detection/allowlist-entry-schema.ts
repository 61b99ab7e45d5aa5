/** Validation of allowlist values, shared by the editor form, the API and the CLI. */
import { z } from "zod";
import { DETECTION_LIST_NAMES, type DetectionListName } from "./detection-lists";

export const detectionListNameSchema = z.enum(DETECTION_LIST_NAMES);

const portSchema = z
  .string()
  .trim()
  .regex(/^\d+$/, { error: "A port is a whole number from 1 to 65535." })
  .transform(Number)
  .pipe(z.number().int().min(1, { error: "A port is a whole number from 1 to 65535." }).max(65535, { error: "A port is a whole number from 1 to 65535." }))
  .transform(String);

const fileNameSchema = z
  .string()
  .trim()
  .min(1, { error: "A file name cannot be empty." })
  .max(260, { error: "A file name is at most 260 characters." })
  .refine((value) => !/[\\/:*?"<>|\u0000-\u001f]/.test(value), { error: "A file name has no path separators or characters Windows forbids (\\ / : * ? \" < > |)." });

export function allowlistValueSchema(list: DetectionListName) {
  return list === "standardPorts" ? portSchema : fileNameSchema;
}

export const allowlistEntryInputSchema = z.object({
  list: detectionListNameSchema,
  value: z.union([z.string(), z.number()]).transform(String),
});

export type AllowlistEntryInput = z.infer<typeof allowlistEntryInputSchema>;

/** The key under which duplicates are detected: values compare case-insensitively. */
export function allowlistValueKey(value: string): string {
  return value.trim().toLowerCase();
}

export type ValidatedAllowlistValue = { ok: true; value: string; key: string } | { ok: false; message: string };

/** Validates a value for a list and refuses one already present (ignoring `exceptId`, the entry being edited). */
export function validateAllowlistValue(
  list: DetectionListName,
  rawValue: string,
  existing: readonly { id: string; value: string }[],
  exceptId?: string,
): ValidatedAllowlistValue {
  const parsed = allowlistValueSchema(list).safeParse(rawValue);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0].message };
  const key = allowlistValueKey(parsed.data);
  const duplicate = existing.find((entry) => entry.id !== exceptId && allowlistValueKey(entry.value) === key);
  if (duplicate) return { ok: false, message: `"${duplicate.value}" is already in this list.` };
  return { ok: true, value: parsed.data, key };
}
