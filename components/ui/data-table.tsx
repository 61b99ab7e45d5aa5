"use client";

import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
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

/** Values of a facet filter compare as text, exactly. */
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
    state: { sorting, globalFilter, columnFilters, columnVisibility: Object.fromEntries(hiddenColumns.map((id) => [id, false])) },
    defaultColumn: { filterFn: equalsText as FilterFn<Row> },
    onSortingChange: (updater) => {
      const next = typeof updater === "function" ? updater(sorting) : updater;
      updateParams({ sort: next[0] ? `${next[0].id}.${next[0].desc ? "desc" : "asc"}` : null });
    },
    globalFilterFn: "includesString",
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
  });

  const rows = table.getRowModel().rows;
  const plural = (count: number) => `${count} ${noun}${count === 1 ? "" : "s"}`;

  return (
    <div className="data-table">
      <div className="toolbar" role="search">
        <label className="field">
          <span>{searchLabel}</span>
          <input type="search" value={globalFilter} onChange={(event) => updateParams({ q: event.target.value })} placeholder="Any text in the row" />
        </label>
        {facets.map((facet) => (
          <label className="field" key={facet.columnId}>
            <span>{facet.label}</span>
            <select value={searchParams.get(facet.columnId) ?? ""} onChange={(event) => updateParams({ [facet.columnId]: event.target.value })}>
              {facet.options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
        ))}
        <p className="row-count" aria-live="polite">
          {rows.length === data.length ? plural(data.length) : `${rows.length} of ${plural(data.length)}`}
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
    </div>
  );
}
