/**
 * Reads Windows Event XML, as `wevtutil qe Microsoft-Windows-Sysmon/Operational /f:xml` prints it
 * (a run of <Event> elements with no root) or wrapped in an <Events> document, into flat records
 * in the OTRF JSON shape normalizeSysmonRecord reads: the System fields plus one field per
 * <Data Name="X"> of EventData.
 *
 * This is no general XML parser: it knows elements, attributes, text, comments, CDATA and the
 * five predefined entities plus character references. Declarations (<!DOCTYPE, <!ENTITY) are
 * refused, so no entity can expand into anything but one character.
 */
import type { RawRow } from "./read-raw-rows";
import { flattenEventRecord } from "./windows-event-record";

const EVENT_TAG = "<Event";
const XML_DECLARATION = /^<\?xml[^>]*\?>/;
/** How much of a file's start looksLikeEventXml reads. */
export const EVENT_XML_HEAD_CHARS = 4096;
/** Characters that must follow a cut before it can be taken: "<Event" and the one telling it from "<Events" or "<EventData". */
export const EVENT_CUT_LOOKAHEAD = EVENT_TAG.length + 1;

export function looksLikeEventXml(text: string): boolean {
  // A prefix is enough to recognise the format; the whole file never needs copying.
  let head = text.slice(0, EVENT_XML_HEAD_CHARS);
  if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
  head = head.trimStart();
  const declaration = XML_DECLARATION.exec(head);
  if (declaration) head = head.slice(declaration[0].length).trimStart();
  return /^<Events?[\s>/]/.test(head);
}

export function* readSysmonXmlEvents(text: string): Generator<RawRow> {
  let line = 1;
  let counted = 0;
  for (let start = findEventStart(text, 0); start !== -1; ) {
    line += countNewlines(text, counted, start);
    counted = start;
    // An event ends before the next one starts: an unclosed event cannot swallow its neighbours,
    // and every search inside it stays within its own text.
    const next = findEventStart(text, start + EVENT_TAG.length);
    const event = text.slice(start, next === -1 ? text.length : next);
    try {
      yield { line, chars: event.length, record: recordOf(parseElement(event)) };
    } catch (error) {
      if (!(error instanceof EventXmlError)) throw error;
      yield { line, chars: event.length, record: null, error: error.message };
    }
    start = next;
  }
}

class EventXmlError extends Error {}

function recordOf(event: XmlElement): Record<string, string> {
  const record = flattenEventRecord(event, xmlAttribute);
  if (record === null) throw new EventXmlError("the event has no System/EventID");
  return record;
}

function xmlAttribute(element: XmlElement, name: string): string | undefined {
  return element.attributes.get(name);
}

/** The next "<Event" that opens an Event element (not <Events>, <EventData>, <EventID>...). */
function findEventStart(text: string, from: number): number {
  for (let index = text.indexOf(EVENT_TAG, from); index !== -1; index = text.indexOf(EVENT_TAG, index + EVENT_TAG.length)) {
    const following = text[index + EVENT_TAG.length];
    if (following === undefined || endsEventTagName(following)) return index;
  }
  return -1;
}

/**
 * Where text may be cut so that both parts read as the whole does: the last event start in
 * [max(from, 1), to] whose next character has arrived, or -1. Each event runs to the next one's
 * start anyway, so an event of the second part is read from the same text as in the whole.
 */
export function lastEventStart(text: string, from: number, to: number): number {
  for (let index = text.lastIndexOf(EVENT_TAG, to); index >= Math.max(from, 1); index = text.lastIndexOf(EVENT_TAG, index - 1)) {
    const following = text[index + EVENT_TAG.length];
    if (following !== undefined && endsEventTagName(following)) return index;
  }
  return -1;
}

function endsEventTagName(character: string): boolean {
  return character === ">" || character === "/" || isXmlSpace(character);
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let index = text.indexOf("\n", from); index !== -1 && index < to; index = text.indexOf("\n", index + 1)) count++;
  return count;
}

function isXmlSpace(character: string): boolean {
  return character === " " || character === "\t" || character === "\n" || character === "\r";
}

interface XmlElement {
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  /** The element's own text, entities decoded, whitespace kept. */
  text: string;
}

/** The first element of `xml` (which starts with it), parsed up to its end tag. */
function parseElement(xml: string): XmlElement {
  const open: XmlElement[] = [];
  let position = 0;
  for (;;) {
    const tagStart = xml.indexOf("<", position);
    const current = open[open.length - 1];
    if (current) current.text += decodeText(xml.slice(position, tagStart === -1 ? xml.length : tagStart));
    if (tagStart === -1) throw new EventXmlError(`<${open[0]?.name ?? "Event"}> is not closed${open.length > 1 ? ` (inside <${current?.name}>)` : ""}`);

    if (xml.startsWith("<!--", tagStart)) {
      position = endOf(xml, "-->", tagStart + 4, "comment");
    } else if (xml.startsWith("<![CDATA[", tagStart)) {
      const end = endOf(xml, "]]>", tagStart + 9, "CDATA section");
      if (current) current.text += xml.slice(tagStart + 9, end - 3);
      position = end;
    } else if (xml.startsWith("<?", tagStart)) {
      position = endOf(xml, "?>", tagStart + 2, "processing instruction");
    } else if (xml.startsWith("<!", tagStart)) {
      throw new EventXmlError("XML declarations such as <!DOCTYPE> or <!ENTITY> are not supported");
    } else if (xml.startsWith("</", tagStart)) {
      const end = endOf(xml, ">", tagStart + 2, "end tag");
      const name = xml.slice(tagStart + 2, end - 1).trimEnd();
      if (!current || name !== current.name) throw new EventXmlError(`unexpected </${name}>${current ? ` inside <${current.name}>` : ""}`);
      open.pop();
      if (open.length === 0) return current;
      position = end;
    } else {
      const tag = parseStartTag(xml, tagStart);
      if (current) current.children.push(tag.element);
      if (tag.selfClosing && open.length === 0) return tag.element;
      if (!tag.selfClosing) open.push(tag.element);
      position = tag.end;
    }
  }
}

function endOf(xml: string, terminator: string, from: number, what: string): number {
  const index = xml.indexOf(terminator, from);
  if (index === -1) throw new EventXmlError(`unclosed ${what}`);
  return index + terminator.length;
}

const NAME_PATTERN = /^[A-Za-z_][\w.:-]*$/;

function parseStartTag(xml: string, tagStart: number): { element: XmlElement; selfClosing: boolean; end: number } {
  let position = tagStart + 1;
  const readName = (): string => {
    const nameStart = position;
    while (position < xml.length && !isXmlSpace(xml[position]) && !"=/>\"'<".includes(xml[position])) position++;
    const name = xml.slice(nameStart, position);
    if (!NAME_PATTERN.test(name)) throw new EventXmlError(`invalid name "${name.slice(0, 40)}" in a tag`);
    return name;
  };
  const skipSpace = () => {
    while (position < xml.length && isXmlSpace(xml[position])) position++;
  };

  const element: XmlElement = { name: readName(), attributes: new Map(), children: [], text: "" };
  for (;;) {
    skipSpace();
    if (position >= xml.length) throw new EventXmlError(`unclosed <${element.name}> tag`);
    if (xml[position] === ">") return { element, selfClosing: false, end: position + 1 };
    if (xml.startsWith("/>", position)) return { element, selfClosing: true, end: position + 2 };
    const attribute = readName();
    skipSpace();
    if (xml[position] !== "=") throw new EventXmlError(`attribute ${attribute} of <${element.name}> has no value`);
    position++;
    skipSpace();
    const quote = xml[position];
    if (quote !== '"' && quote !== "'") throw new EventXmlError(`attribute ${attribute} of <${element.name}> is not quoted`);
    const valueEnd = xml.indexOf(quote, position + 1);
    if (valueEnd === -1) throw new EventXmlError(`unclosed <${element.name}> tag`);
    const raw = xml.slice(position + 1, valueEnd);
    if (raw.includes("<")) throw new EventXmlError(`attribute ${attribute} of <${element.name}> contains "<"`);
    element.attributes.set(attribute, decodeText(raw));
    position = valueEnd + 1;
  }
}

const PREDEFINED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
/** Farthest a reference's ";" may be: "&#x10FFFF;" is 10 characters; leading zeros are legal but rare. */
const MAX_REFERENCE_LENGTH = 32;

function decodeText(raw: string): string {
  let decoded = "";
  let position = 0;
  for (let ampersand = raw.indexOf("&"); ampersand !== -1; ampersand = raw.indexOf("&", position)) {
    const semicolon = raw.indexOf(";", ampersand + 1);
    if (semicolon === -1 || semicolon - ampersand > MAX_REFERENCE_LENGTH) throw new EventXmlError(`"&" without a reference at "${raw.slice(ampersand, ampersand + 12)}"`);
    decoded += raw.slice(position, ampersand) + decodeReference(raw.slice(ampersand + 1, semicolon));
    position = semicolon + 1;
  }
  return decoded + raw.slice(position);
}

function decodeReference(reference: string): string {
  if (Object.hasOwn(PREDEFINED_ENTITIES, reference)) return PREDEFINED_ENTITIES[reference];
  const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(reference);
  const codePoint = numeric ? parseInt(numeric[1] ?? numeric[2], numeric[1] ? 16 : 10) : Number.NaN;
  if (!isXmlCharacter(codePoint)) throw new EventXmlError(`unknown or invalid reference &${reference};`);
  return String.fromCodePoint(codePoint);
}

/** XML 1.0's Char production: no NUL, other C0 controls but tab/newlines, surrogates or FFFE/FFFF. */
function isXmlCharacter(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}
