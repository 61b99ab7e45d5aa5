/** Everything the audit log records, by the name an entry carries. */
export const AUDIT_ACTIONS = [
  "session.sign_in",
  "session.sign_in_failed",
  "session.sign_out",
  "user.create",
  "user.disable",
  "user.enable",
  "user.reset_password",
  "user.set_role",
  "token.create",
  "token.revoke",
  "settings.update",
  "detection.as_of",
  "allowlist.add",
  "allowlist.update",
  "allowlist.remove",
  "dataset.upload",
  "dataset.delete",
  "finding.triage",
  "finding.note",
  "finding.reopen",
  "suppression.add",
  "suppression.update",
  "suppression.remove",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
