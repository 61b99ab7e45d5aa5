"use client";

import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnFiltersState,
  type FilterFn,
  type SortingState,
} from "@tanstack/react-table";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";

export interface FacetFilter {
  columnId: string;
  label: string;
  /** Options shown; an empty value means "all". */
  options: { value: string; label: string }[];
}

interface DataTableProps<Row> {
  data: Row[];
  columns: ColumnDef<Row, unknown>[];
  /** What one row is called in the count ("finding" gives "3 of 8 findings"). */
  noun: string;
  facets?: FacetFilter[];
  /** Columns kept for filtering only. */
  hiddenColumns?: string[];
  searchLabel?: string;
  emptyMessage: React.ReactNode;
  caption: string;
}

/** "All" plus each distinct value, sorted: the options of a facet over a column's values. */
export function facetOptions(values: string[]): FacetFilter["options"] {
  return [{ value: "", label: "All" }, ...[...new Set(values)].sort().map((value) => ({ value, label: value }))];
}

/** A facet over a column holding "yes" or "no". */
export function yesNoFacet(columnId: string, label: string, yesLabel: string, noLabel: string): FacetFilter {
  return {
    columnId,
    label,
    options: [
      { value: "", label: "All" },
      { value: "yes", label: yesLabel },
      { value: "no", label: noLabel },
    ],
  };
}

/** Values of a facet filter compare as text, exactly. */
/** Rows per page: dense enough to scan, small enough to render instantly with thousands of findings. */
const PAGE_SIZE = 100;

const equalsText: FilterFn<unknown> = (row, columnId, filterValue) => String(row.getValue(columnId)) === String(filterValue);

/**
 * A dense, sortable, filterable table whose state (sort, search, filters) lives in the URL,
 * so a view can be shared and survives a reload.
 */
export function DataTable<Row>({ data, columns, noun, facets = [], hiddenColumns = [], searchLabel = "Search", emptyMessage, caption }: DataTableProps<Row>) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();

  const sorting: SortingState = useMemo(() => {
    const sort = searchParams.get("sort");
    if (!sort) return [];
    const [id, direction] = sort.split(".");
    return [{ id, desc: direction === "desc" }];
  }, [searchParams]);
  const globalFilter = searchParams.get("q") ?? "";
  const pageIndex = Math.max(0, Number.parseInt(searchParams.get("page") ?? "1", 10) - 1 || 0);
  const columnFilters: ColumnFiltersState = useMemo(
    () => facets.flatMap((facet) => (searchParams.get(facet.columnId) ? [{ id: facet.columnId, value: searchParams.get(facet.columnId) }] : [])),
    [facets, searchParams],
  );

  const updateParams = useCallback(
    (changes: Record<string, string | null>) => {
      const next = new URLSearchParams(searchParams.toString());
      for (const [key, value] of Object.entries(changes)) {
        if (value === null || value === "") next.delete(key);
        else next.set(key, value);
      }
      const query = next.toString();
      router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [pathname, router, searchParams],
  );

  const table = useReactTable({
    data,
    columns,
    state: {
      sorting,
      globalFilter,
      columnFilters,
      columnVisibility: Object.fromEntries(hiddenColumns.map((id) => [id, false])),
      pagination: { pageIndex, pageSize: PAGE_SIZE },
    },
    // Filters and sorting change what page 1 holds: the URL updates below reset the page.
    autoResetPageIndex: false,
    defaultColumn: { filterFn: equalsText as FilterFn<Row> },
    onSortingChange: (updater) => {
      const next = typeof updater === "function" ? updater(sorting) : updater;
      updateParams({ sort: next[0] ? `${next[0].id}.${next[0].desc ? "desc" : "asc"}` : null, page: null });
    },
    globalFilterFn: "includesString",
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
  });

  const rows = table.getRowModel().rows;
  const matching = table.getFilteredRowModel().rows.length;
  const pageCount = Math.max(1, Math.ceil(matching / PAGE_SIZE));
  const plural = (count: number) => `${count} ${noun}${count === 1 ? "" : "s"}`;

  return (
    <div className="data-table">
      <div className="toolbar" role="search">
        <label className="field">
          <span>{searchLabel}</span>
          <input type="search" value={globalFilter} onChange={(event) => updateParams({ q: event.target.value, page: null })} placeholder="Any text in the row" />
        </label>
        {facets.map((facet) => (
          <label className="field" key={facet.columnId}>
            <span>{facet.label}</span>
            <select value={searchParams.get(facet.columnId) ?? ""} onChange={(event) => updateParams({ [facet.columnId]: event.target.value, page: null })}>
              {facet.options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
        ))}
        <p className="row-count" aria-live="polite">
          {matching === data.length ? plural(data.length) : `${matching} of ${plural(data.length)}`}
        </p>
      </div>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            {table.getHeaderGroups().map((headerGroup) => (
              <tr key={headerGroup.id}>
                {headerGroup.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  return (
                    <th key={header.id} scope="col" aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none"}>
                      {header.column.getCanSort() ? (
                        <button type="button" className="sort-button" onClick={header.column.getToggleSortingHandler()}>
                          {flexRender(header.column.columnDef.header, header.getContext())}
                          <span aria-hidden="true" className="sort-indicator">
                            {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}
                          </span>
                        </button>
                      ) : (
                        flexRender(header.column.columnDef.header, header.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={table.getVisibleLeafColumns().length} className="empty-cell">
                  {data.length === 0 ? emptyMessage : `No ${noun}s match these filters.`}
                </td>
              </tr>
            ) : (
              rows.map((row) => (
                <tr key={row.id}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={(cell.column.columnDef.meta as { className?: string } | undefined)?.className}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {pageCount > 1 && (
        <nav className="pager" aria-label={`${noun[0].toUpperCase()}${noun.slice(1)} pages`}>
          <button type="button" className="button button-quiet" disabled={pageIndex === 0} onClick={() => updateParams({ page: pageIndex === 1 ? null : String(pageIndex) })}>
            Previous
          </button>
          <span>
            Page {Math.min(pageIndex + 1, pageCount)} of {pageCount}
          </span>
          <button type="button" className="button button-quiet" disabled={pageIndex + 1 >= pageCount} onClick={() => updateParams({ page: String(pageIndex + 2) })}>
            Next
          </button>
        </nav>
      )}
    </div>
  );
}
