/**
 * The flat record every Windows event reader produces (event XML, .evtx): the System fields
 * below plus one field per <Data Name="X"> of EventData, in the OTRF JSON shape that
 * normalizeSysmonRecord reads. Pure.
 */

/** System fields by record name, read from the element's text or one of its attributes. */
export const SYSTEM_FIELDS: readonly { field: string; element: string; attribute?: string }[] = [
  { field: "EventID", element: "EventID" },
  { field: "Computer", element: "Computer" },
  { field: "TimeCreated", element: "TimeCreated", attribute: "SystemTime" },
  { field: "Channel", element: "Channel" },
  { field: "ProviderName", element: "Provider", attribute: "Name" },
  { field: "SourceName", element: "Provider", attribute: "Name" },
  // The number the event had in the log that recorded it (an exported log renumbers its record headers, not this).
  { field: "EventRecordID", element: "EventRecordID" },
];

/**
 * An own field even when named "__proto__", which plain assignment would treat as the prototype.
 * Only that name needs defineProperty: plain assignment is much faster and creates an own
 * property for every other name.
 */
export function setField(record: Record<string, unknown>, name: string, value: string): void {
  if (name === "__proto__") Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  else record[name] = value;
}
