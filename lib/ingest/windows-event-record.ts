/**
 * The flat record every Windows event reader (event XML, .evtx) makes of an Event element with
 * flattenEventRecord: the System fields below plus one field per <Data Name="X"> of EventData, in
 * the OTRF JSON shape that normalizeSysmonRecord reads. Pure.
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

/** What flattening reads of an element; each reader's own element type has it. */
export interface EventElement<Element> {
  name: string;
  /** The element's own text, child elements' text excluded. */
  text: string;
  children: readonly Element[];
}

/**
 * An Event element flattened: the System fields, then one field per <Data Name="X"> of
 * EventData; null when it has no System/EventID (no event our readers can use). `attribute`
 * reads an element's attribute value (a function rather than a Map, so no reader builds one per
 * element).
 */
export function flattenEventRecord<Element extends EventElement<Element>>(
  event: Element,
  attribute: (element: Element, name: string) => string | undefined,
): Record<string, string> | null {
  const system = child(event, "System");
  const record: Record<string, string> = {};
  for (const { field, element, attribute: attributeName } of SYSTEM_FIELDS) {
    const source = system && child(system, element);
    if (source === undefined) continue;
    const value = attributeName === undefined ? source.text.trim() : attribute(source, attributeName);
    if (value !== undefined && value !== "") setField(record, field, value);
  }
  if (record.EventID === undefined) return null;
  for (const data of child(event, "EventData")?.children ?? []) {
    if (data.name !== "Data") continue;
    const name = attribute(data, "Name");
    // System fields win over a same-named Data item, and the first Data item over later ones;
    // an unnamed Data item has no field to go to.
    if (name !== undefined && !Object.hasOwn(record, name)) setField(record, name, data.text);
  }
  return record;
}

function child<Element extends EventElement<Element>>(element: Element, name: string): Element | undefined {
  for (const candidate of element.children) if (candidate.name === name) return candidate;
  return undefined;
}
