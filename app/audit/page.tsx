import type { Metadata } from "next";
import Link from "next/link";
import { AuditFilterForm } from "@/components/audit/audit-filter-form";
import { AuditTable } from "@/components/audit/audit-table";
import { AdminsOnlyNotice } from "@/components/auth/admins-only-notice";
import { accountCan } from "@/lib/auth/roles";
import { auditApiFilters, filterSearch, readAuditFilterValues, type AuditFilterValues } from "@/lib/http/audit-filters";
import { auditQuerySchema, listAuditEntries } from "@/lib/server/audit-log";
import { requirePageAccount } from "@/lib/server/page-session";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const account = await requirePageAccount();
  if (!accountCan(account, "administer")) return <AdminsOnlyNotice title="Audit log" message="Only admins can read the audit log." />;
  const { values, page } = readAuditFilterValues(await searchParams);
  const filters = auditApiFilters(values, page);
  const query = filters.ok ? auditQuerySchema.safeParse({ ...filters.filters, page: filters.page }) : null;
  const problems = !filters.ok ? filters.problems : query?.success === false ? query.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) : [];
  const listing = query?.success ? await listAuditEntries(query.data) : null;
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Audit log</h1>
          <p>Sign-ins, account and token changes, tuning, uploads and deletes, newest first. Times are UTC; From is included, To is not.</p>
        </div>
        {filters.ok && (
          <a className="button button-quiet" href={`/api/audit?${filterSearch({ ...filters.filters, format: "csv" })}`} download>
            Export CSV
          </a>
        )}
      </div>
      <AuditFilterForm values={values} />
      {listing === null ? (
        <div className="notice notice-error" role="alert">
          <strong>These filters are not valid.</strong>
          <ul className="error-list">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      ) : (
        <>
          <p className="row-count" aria-live="polite">
            {listing.total.toLocaleString("en-US")} {listing.total === 1 ? "entry" : "entries"}
          </p>
          {listing.entries.length === 0 ? (
            <p className="notice">No audit entries match these filters.</p>
          ) : (
            <AuditTable entries={listing.entries} />
          )}
          <AuditPager values={values} page={listing.page} pageCount={Math.ceil(listing.total / listing.pageSize)} />
        </>
      )}
    </>
  );
}

function AuditPager({ values, page, pageCount }: { values: AuditFilterValues; page: number; pageCount: number }) {
  if (pageCount <= 1) return null;
  const pageHref = (target: number) => `/audit?${filterSearch({ ...values, page: target === 1 ? undefined : target })}`;
  return (
    <nav className="pager" aria-label="Audit log pages">
      {page > 1 && (
        <Link className="button button-quiet" href={pageHref(Math.min(page - 1, pageCount))}>
          Previous
        </Link>
      )}
      <span>
        Page {page.toLocaleString("en-US")} of {pageCount.toLocaleString("en-US")}
      </span>
      {page < pageCount && (
        <Link className="button button-quiet" href={pageHref(page + 1)}>
          Next
        </Link>
      )}
    </nav>
  );
}
