"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { viewQuery } from "@/lib/triage/saved-views";

/** A finding's page, told the list it was opened from (its filters and sort), for its previous and next buttons. */
export function findingHref(id: string, listQuery: string): string {
  const list = viewQuery(listQuery);
  return list ? `/findings/${id}?${new URLSearchParams({ list })}` : `/findings/${id}`;
}

/** A link to a finding from the list the page shows. */
export function FindingLink({ id, children }: { id: string; children: React.ReactNode }) {
  const searchParams = useSearchParams();
  return <Link href={findingHref(id, searchParams.toString())}>{children}</Link>;
}
