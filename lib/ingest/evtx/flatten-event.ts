/**
 * An Event element flattened into the record shape the other Sysmon readers produce (see
 * recordOf in ../read-sysmon-xml.ts): System fields plus one field per <Data Name="X"> of
 * EventData. EventRecordID comes from System/EventRecordID, which keeps the number the event had
 * on the machine that logged it (an exported log renumbers its record headers from 1).
 */
import { setField, SYSTEM_FIELDS } from "../windows-event-record";
import type { XmlElement } from "./binxml";

/** The flattened event, or null when it has no System/EventID (no event our readers can use). */
export function flattenEvent(event: XmlElement): Record<string, string> | null {
  const system = child(event, "System");
  const record: Record<string, string> = {};
  for (const { field, element, attribute } of SYSTEM_FIELDS) {
    const source = child(system, element);
    const value = attribute === undefined ? source?.text.trim() : source?.attributes.find((candidate) => candidate.name === attribute)?.value;
    if (value !== undefined && value !== "") setField(record, field, value);
  }
  if (record.EventID === undefined) return null;
  for (const data of child(event, "EventData")?.children ?? []) {
    const name = data.attributes.find((attribute) => attribute.name === "Name")?.value;
    // System fields win over a same-named Data item, and the first Data item over later ones.
    if (data.name === "Data" && name !== undefined && !Object.hasOwn(record, name)) setField(record, name, data.text);
  }
  return record;
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((candidate) => candidate.name === name);
}
