import Form from "next/form";
import Link from "next/link";
import { AUDIT_ACTIONS } from "@/lib/auth/audit-actions";
import type { AuditFilterValues } from "@/lib/http/audit-filters";

/** The audit log's filters, as a GET form: the filtered view is a URL that can be shared or reloaded. */
export function AuditFilterForm({ values }: { values: AuditFilterValues }) {
  const filtered = Object.values(values).some((value) => value !== "");
  return (
    // Keyed by the filters, so its uncontrolled fields show the URL's after a client-side navigation.
    <Form key={JSON.stringify(values)} action="/audit" className="toolbar card" role="search" aria-label="Audit log filters">
      <div className="field">
        <label htmlFor="audit-actor">Actor</label>
        <input id="audit-actor" name="actor" defaultValue={values.actor} placeholder="kim, or token:edr-export" spellCheck={false} />
      </div>
      <div className="field">
        <label htmlFor="audit-action">Action</label>
        <select id="audit-action" name="action" defaultValue={values.action}>
          <option value="">Any</option>
          {AUDIT_ACTIONS.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-from">From</label>
        <input id="audit-from" name="from" type="datetime-local" step="1" defaultValue={values.from} />
      </div>
      <div className="field">
        <label htmlFor="audit-to">To</label>
        <input id="audit-to" name="to" type="datetime-local" step="1" defaultValue={values.to} />
      </div>
      <button type="submit" className="button">
        Filter
      </button>
      {filtered && (
        <Link href="/audit" className="button button-quiet">
          Clear
        </Link>
      )}
    </Form>
  );
}
