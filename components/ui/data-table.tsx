"use client";

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState, useTransition } from "react";
import { truncateCodePoints, visiblePlainText } from "@/lib/text/hidden-characters";
import { EventText } from "./event-text";

export interface FacetFilter {
  /** The URL parameter (the list row's column) the filter sets. */
  columnId: string;
  label: string;
  /** Options shown; an empty value means "all". */
  options: { value: string; label: string }[];
}

/** A filter typed rather than chosen (an address, a day): set in the URL when the field is left or Enter is pressed. */
export interface InputFilter {
  parameter: string;
  label: string;
  type: "text" | "date";
}

/** The page of rows the server read for the URL's sort, search, filters and page. */
export interface DataTablePage<Row> {
  rows: Row[];
  /** Rows in the whole list. */
  total: number;
  /** Of those, the ones the search and filters keep. */
  matching: number;
  /** 1-based. */
  page: number;
  pageCount: number;
}

/**
 * A column's presentation: `className` for its cells; `clip` (px) keeps a cell to one line of at
 * most that width, cut with an ellipsis (the row stays one line tall; the value is in the title).
 */
export interface DataTableColumnMeta {
  className?: string;
  clip?: number;
}

interface DataTableProps<Row> {
  page: DataTablePage<Row>;
  columns: ColumnDef<Row, unknown>[];
  /** The row the keyboard is on (j/k in the findings queue): highlighted and scrolled into view. */
  activeRowIndex?: number | null;
  /** Shown between the toolbar and the table (the findings queue's bulk actions). */
  beforeTable?: React.ReactNode;
  /** What one row is called in the count ("finding" gives "3 of 8 findings"). */
  noun: string;
  facets?: FacetFilter[];
  /** Filters behind "More filters", open while any of them is set. */
  moreFilters?: (FacetFilter | InputFilter)[];
  searchLabel?: string;
  emptyMessage: React.ReactNode;
  caption: string;
}

/** "All" plus each distinct value: the options of a facet over a column's values (given sorted). */
export function facetOptions(values: string[]): FacetFilter["options"] {
  return [{ value: "", label: "All" }, ...values.map((value) => ({ value, label: value }))];
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

/** Typing pauses this long before the search goes to the server. */
const SEARCH_DELAY_MS = 250;

/**
 * A dense table over a list the server pages: sort, search, filters and page live in the URL
 * (a view can be shared and survives a reload), and each change asks the server for the page
 * again, so a list of any length costs one page of memory in the server and the browser.
 */
export function DataTable<Row>({ page, columns, noun, facets = [], moreFilters = [], searchLabel = "Search", emptyMessage, caption, activeRowIndex = null, beforeTable }: DataTableProps<Row>) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [updating, startUpdate] = useTransition();

  const sorting: SortingState = useMemo(() => {
    const sort = searchParams.get("sort");
    if (!sort) return [];
    const [id, direction] = sort.split(".");
    return [{ id, desc: direction === "desc" }];
  }, [searchParams]);

  const updateParams = useCallback(
    (changes: Record<string, string | null>) => {
      const next = new URLSearchParams(searchParams.toString());
      for (const [key, value] of Object.entries(changes)) {
        if (value === null || value === "") next.delete(key);
        else next.set(key, value);
      }
      const query = next.toString();
      startUpdate(() => router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false }));
    },
    [pathname, router, searchParams],
  );

  // The search box answers every keystroke; the URL (and the server) only once typing pauses.
  const urlSearch = searchParams.get("q") ?? "";
  const [search, setSearch] = useState(urlSearch);
  const sentSearch = useRef(urlSearch);
  useEffect(() => {
    // The URL changed under us (back button, a link): show its search.
    if (urlSearch !== sentSearch.current) {
      sentSearch.current = urlSearch;
      setSearch(urlSearch);
    }
  }, [urlSearch]);
  useEffect(() => {
    if (search === sentSearch.current) return;
    const timer = setTimeout(() => {
      sentSearch.current = search;
      // A new search (like a new filter or sort) starts again from the first page.
      updateParams({ q: search, page: null });
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, updateParams]);

  const table = useReactTable({
    data: page.rows,
    columns,
    // Cells without a renderer of their own show event strings through EventText.
    defaultColumn: { cell: ({ getValue }) => renderCellValue(getValue()) },
    state: { sorting },
    manualSorting: true,
    manualFiltering: true,
    manualPagination: true,
    onSortingChange: (updater) => {
      const next = typeof updater === "function" ? updater(sorting) : updater;
      updateParams({ sort: next[0] ? `${next[0].id}.${next[0].desc ? "desc" : "asc"}` : null, page: null });
    },
    getCoreRowModel: getCoreRowModel(),
  });

  // Open at first when the URL sets one of them; then as the user leaves it.
  const [moreOpen, setMoreOpen] = useState(() => moreFilters.some((filter) => searchParams.has("columnId" in filter ? filter.columnId : filter.parameter)));
  const rows = table.getRowModel().rows;
  const pageIndex = page.page - 1;
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    if (activeRowIndex !== null) bodyRef.current?.rows[activeRowIndex]?.scrollIntoView({ block: "nearest" });
  }, [activeRowIndex]);
  const plural = (count: number) => `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;

  return (
    <div className="data-table">
      <div className="toolbar" role="search">
        <label className="field">
          <span>{searchLabel}</span>
          <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="Any text in the row" />
        </label>
        {facets.map((facet) => (
          <FacetSelect key={facet.columnId} facet={facet} value={searchParams.get(facet.columnId) ?? ""} onChange={(value) => updateParams({ [facet.columnId]: value, page: null })} />
        ))}
        {moreFilters.length > 0 && (
          <details className="more-filters" open={moreOpen} onToggle={(event) => setMoreOpen(event.currentTarget.open)}>
            <summary>More filters</summary>
            <div className="toolbar">
              {moreFilters.map((filter) =>
                "columnId" in filter ? (
                  <FacetSelect key={filter.columnId} facet={filter} value={searchParams.get(filter.columnId) ?? ""} onChange={(value) => updateParams({ [filter.columnId]: value, page: null })} />
                ) : (
                  <FilterInput key={filter.parameter} filter={filter} value={searchParams.get(filter.parameter) ?? ""} onCommit={(value) => updateParams({ [filter.parameter]: value, page: null })} />
                ),
              )}
            </div>
          </details>
        )}
        <p className="row-count" aria-live="polite">
          {page.matching === page.total ? plural(page.total) : `${page.matching.toLocaleString("en-US")} of ${plural(page.total)}`}
          {updating && <span className="updating"> · updating…</span>}
        </p>
      </div>
      {beforeTable}
      <div className="table-scroll" aria-busy={updating}>
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
          <tbody ref={bodyRef}>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={table.getVisibleLeafColumns().length} className="empty-cell">
                  {page.total === 0 ? emptyMessage : `No ${noun}s match these filters.`}
                </td>
              </tr>
            ) : (
              rows.map((row, index) => (
                <tr key={row.id} className={index === activeRowIndex ? "active-row" : undefined} aria-current={index === activeRowIndex ? "true" : undefined}>
                  {row.getVisibleCells().map((cell) => {
                    const meta = cell.column.columnDef.meta as DataTableColumnMeta | undefined;
                    const content = flexRender(cell.column.columnDef.cell, cell.getContext());
                    const value = cell.getValue();
                    return (
                      <td key={cell.id} className={meta?.className}>
                        {meta?.clip ? (
                          <span className="clip" style={{ maxWidth: meta.clip }} title={typeof value === "string" ? visiblePlainText(value, TITLE_CODE_POINTS) : undefined}>
                            {content}
                          </span>
                        ) : (
                          content
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {page.pageCount > 1 && (
        <nav className="pager" aria-label={`${noun[0].toUpperCase()}${noun.slice(1)} pages`}>
          <button type="button" className="button button-quiet" disabled={pageIndex === 0} onClick={() => updateParams({ page: pageIndex === 1 ? null : String(pageIndex) })}>
            Previous
          </button>
          <span>
            Page {page.page.toLocaleString("en-US")} of {page.pageCount.toLocaleString("en-US")}
          </span>
          <button type="button" className="button button-quiet" disabled={page.page >= page.pageCount} onClick={() => updateParams({ page: String(pageIndex + 2) })}>
            Next
          </button>
        </nav>
      )}
    </div>
  );
}

function FacetSelect({ facet, value, onChange }: { facet: FacetFilter; value: string; onChange: (value: string) => void }) {
  return (
    <label className="field">
      <span>{facet.label}</span>
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        {facet.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A typed filter: the URL changes when the field is left or Enter pressed, not on every keystroke. */
function FilterInput({ filter, value, onCommit }: { filter: InputFilter; value: string; onCommit: (value: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft.trim() !== value) onCommit(draft.trim());
  };
  return (
    <label className="field">
      <span>{filter.label}</span>
      <input
        type={filter.type}
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === "Enter") commit();
        }}
      />
    </label>
  );
}

/** A cell shows at most this much of a string (a command line can be 100 KB; the whole value is on the finding's page), its title less. */
const CELL_CODE_POINTS = 1000;
const TITLE_CODE_POINTS = 300;

function renderCellValue(value: unknown): React.ReactNode {
  if (typeof value === "string") {
    const cut = truncateCodePoints(value, CELL_CODE_POINTS);
    return <EventText text={cut.truncated ? `${cut.text}…` : value} />;
  }
  return value === null || value === undefined ? null : String(value);
}
