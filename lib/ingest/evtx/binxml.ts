/**
 * Binary XML (BinXML) of EVTX records, read into plain element trees.
 *
 * A record's BinXML is almost always a template instance: a reference to a template definition
 * (an element tree with numbered substitution slots, stored once per chunk, inline in the first
 * record that uses it) plus the substitution values of this record. A definition is parsed once
 * per chunk into an ElementPattern and instantiated for each record with that record's values.
 *
 * Rendering follows libevtx (and the libyal format notes): an optional substitution whose value is
 * NULL drops the attribute or element holding it; an array value repeats the element (or attribute)
 * once per item; a BinXML-typed value (0x21) becomes child elements. Character and entity
 * references and CDATA become text; processing instructions are read and dropped.
 *
 * All work that offsets or repetition can multiply is charged to the chunk's expansion budget (see
 * chunk-data.ts), and a BinXML value is parsed once however often its template repeats it.
 */
import { ARRAY_FLAG, VALUE_TYPE, renderArrayItems, renderValue } from "./binxml-values";
import { BinXmlError, ChunkReader, ExpansionLimitError, NODE_COST, VALUE_COST, type ChunkData } from "./chunk-data";

/**
 * An element of a record. The elements of a BinXML value that a template repeats are shared by
 * every copy, so the tree is read-only.
 */
export interface XmlElement {
  name: string;
  /** In document order; an array value can repeat an attribute name. */
  attributes: XmlAttribute[];
  children: XmlElement[];
  /** The element's own text (values, CDATA, references), child elements' text excluded. */
  text: string;
}

export interface XmlAttribute {
  name: string;
  value: string;
}

/** The value of the element's first attribute named `name` (how flattenEventRecord reads attributes here). */
export function attributeValue(element: XmlElement, name: string): string | undefined {
  for (const attribute of element.attributes) if (attribute.name === name) return attribute.value;
  return undefined;
}

interface Substitution {
  kind: "substitution";
  index: number;
  optional: boolean;
}

export interface ElementPattern {
  kind: "element";
  name: string;
  attributes: AttributePattern[];
  content: (string | Substitution | ElementPattern)[];
  /** The substitutions directly in `content`, which decide whether (and how often) the element appears. */
  contentSubstitutions: Substitution[];
}

interface AttributePattern {
  name: string;
  parts: (string | Substitution)[];
  substitutions: Substitution[];
}

/** A template instance's values: type, start and size of each, in the chunk's bytes. */
interface SubstitutionValues {
  types: number[];
  starts: number[];
  sizes: number[];
  /** Scalar values' text, rendered on first use: a template can repeat a value thousands of times. */
  texts: (string | undefined)[];
  /** Array values split into items, on first use. */
  arrays: (string[] | undefined)[];
}

/** The values of elements outside any template: none, so any substitution there is an error (and nothing is ever cached here). */
const NO_VALUES: SubstitutionValues = { types: [], starts: [], sizes: [], texts: [], arrays: [] };

/** A BinXML value's elements and the budget their first expansion spent, which each repeat spends again. */
export interface ValueDocument {
  elements: XmlElement[];
  cost: number;
}

const TOKEN = {
  END_OF_STREAM: 0x00,
  OPEN_START_ELEMENT: 0x01,
  CLOSE_START_ELEMENT: 0x02,
  CLOSE_EMPTY_ELEMENT: 0x03,
  END_ELEMENT: 0x04,
  VALUE: 0x05,
  ATTRIBUTE: 0x06,
  CDATA_SECTION: 0x07,
  CHAR_REFERENCE: 0x08,
  ENTITY_REFERENCE: 0x09,
  PI_TARGET: 0x0a,
  PI_DATA: 0x0b,
  TEMPLATE_INSTANCE: 0x0c,
  NORMAL_SUBSTITUTION: 0x0d,
  OPTIONAL_SUBSTITUTION: 0x0e,
  FRAGMENT_HEADER: 0x0f,
} as const;
/** The "more data follows" / "has attributes" bit some tokens carry. */
const MORE_FLAG = 0x40;

/** Deepest element nesting read; Windows events nest a handful deep. Bounds recursion on hostile input. */
const MAX_ELEMENT_DEPTH = 64;
/** Deepest nesting of BinXML-typed values inside one another. */
const MAX_VALUE_NESTING = 8;

const PREDEFINED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/**
 * The elements of the BinXML in bytes[start, end) of the chunk: a record's event data, normally
 * one Event element. Throws BinXmlError when the data is malformed.
 */
export function readRecordElements(data: ChunkData, start: number, end: number): XmlElement[] {
  const elements: XmlElement[] = [];
  readDocument(new ChunkReader(data, start, end), true, 0, elements);
  return elements;
}

/**
 * Fragments up to an end-of-stream token or the end of the data, their elements appended to `out`.
 * `dependencyIds` says whether element start tags carry the 2-byte dependency identifier: they do
 * in records and after a fragment header, not in a BinXML value that starts with the element.
 */
function readDocument(reader: ChunkReader, dependencyIds: boolean, nesting: number, out: XmlElement[]): void {
  if (nesting > MAX_VALUE_NESTING) throw new BinXmlError("BinXML values nest too deep");
  while (reader.position < reader.end) {
    const token = reader.peek();
    switch (token & ~MORE_FLAG) {
      case TOKEN.END_OF_STREAM:
        return;
      case TOKEN.FRAGMENT_HEADER:
        reader.skip(4); // token, major and minor version, flags
        dependencyIds = true;
        break;
      case TOKEN.TEMPLATE_INSTANCE:
        reader.skip(1);
        readTemplateInstance(reader, nesting, out);
        break;
      case TOKEN.OPEN_START_ELEMENT:
        instantiate(readElement(reader, dependencyIds, 0), NO_VALUES, reader.data, nesting, out);
        break;
      case TOKEN.PI_TARGET:
      case TOKEN.PI_DATA:
        readProcessingInstructionPart(reader);
        break;
      default:
        throw unexpectedToken(token, reader.position, "a document");
    }
  }
}

function unexpectedToken(token: number, position: number, where: string): BinXmlError {
  return new BinXmlError(`unexpected token 0x${token.toString(16).padStart(2, "0")} at 0x${position.toString(16)} in ${where}`);
}

/** An element for a message: its name, cut short if long (a damaged name can be thousands of characters). */
function elementLabel(element: ElementPattern): string {
  return element.name.length > 40 ? `<${element.name.slice(0, 40)}...>` : `<${element.name}>`;
}

function readTemplateInstance(reader: ChunkReader, nesting: number, out: XmlElement[]): void {
  reader.skip(5); // unknown byte, template identifier
  const definitionOffset = reader.u32();
  if (definitionOffset === reader.position) {
    // The definition is stored right here (its first use in the chunk): skip over it.
    reader.need(24);
    const dataSize = reader.data.view.getUint32(reader.position + 20, true);
    reader.skip(24 + dataSize);
  }
  const pattern = templateAt(reader.data, definitionOffset);
  const values = readSubstitutionValues(reader);
  instantiate(pattern, values, reader.data, nesting, out);
}

/**
 * The template definition at `offset`, parsed on first use in the chunk: next-definition offset (4),
 * GUID (16), data size (4), then a fragment header, one element and an end-of-stream token.
 */
function templateAt(data: ChunkData, offset: number): ElementPattern {
  let pattern = data.templates.get(offset);
  if (pattern === undefined) {
    try {
      if (offset + 24 > data.bytes.length) throw new BinXmlError(`template definition offset 0x${offset.toString(16)} is outside the chunk`);
      const dataStart = offset + 24;
      const reader = new ChunkReader(data, dataStart, dataStart + data.view.getUint32(offset + 20, true));
      if (reader.peek() === TOKEN.FRAGMENT_HEADER) reader.skip(4);
      if ((reader.peek() & ~MORE_FLAG) !== TOKEN.OPEN_START_ELEMENT) throw unexpectedToken(reader.peek(), reader.position, "a template definition");
      pattern = readElement(reader, true, 0);
    } catch (error) {
      if (!(error instanceof BinXmlError) || error instanceof ExpansionLimitError) throw error;
      pattern = new BinXmlError(`template at 0x${offset.toString(16)}: ${error.message}`);
    }
    // A broken definition stays broken: each record using it fails without parsing it again.
    data.templates.set(offset, pattern);
  }
  if (pattern instanceof BinXmlError) throw pattern;
  return pattern;
}

/** Value count (4), a descriptor per value (size 2, type 1, unused 1), then the values back to back. */
function readSubstitutionValues(reader: ChunkReader): SubstitutionValues {
  const count = reader.u32();
  reader.need(count * 4); // before allocating anything for a count read from the file
  reader.data.spend(count * VALUE_COST);
  const values: SubstitutionValues = { types: new Array(count), starts: new Array(count), sizes: new Array(count), texts: [], arrays: [] };
  for (let index = 0; index < count; index++) {
    values.sizes[index] = reader.u16();
    values.types[index] = reader.u8();
    reader.skip(1);
  }
  for (let index = 0; index < count; index++) {
    values.starts[index] = reader.position;
    reader.skip(values.sizes[index]);
  }
  return values;
}

/** The name behind a name offset; a name stored inline (its offset is where we are) is skipped over. */
function readName(reader: ChunkReader): string {
  const offset = reader.u32();
  if (offset === reader.position) reader.skip(reader.data.nameStructureLength(offset));
  return reader.data.name(offset);
}

/**
 * An element: open start tag (token, dependency identifier if present, data size, name, attribute
 * list if the token has MORE_FLAG), then a close-empty tag or a close-start tag, content and an end tag.
 */
function readElement(reader: ChunkReader, dependencyIds: boolean, depth: number): ElementPattern {
  if (depth >= MAX_ELEMENT_DEPTH) throw new BinXmlError("elements nest too deep");
  const token = reader.u8();
  reader.skip(dependencyIds ? 6 : 4); // dependency identifier, data size (both unused)
  const element: ElementPattern = { kind: "element", name: readName(reader), attributes: [], content: [], contentSubstitutions: [] };
  // Patterns are charged as they are built: definitions can overlap (any offset will do), each parsed on its own.
  reader.data.spend(NODE_COST);
  if (token & MORE_FLAG) {
    reader.skip(4); // attribute list size
    while ((reader.peek() & ~MORE_FLAG) === TOKEN.ATTRIBUTE) {
      reader.skip(1);
      reader.data.spend(NODE_COST);
      const attribute: AttributePattern = { name: readName(reader), parts: [], substitutions: [] };
      readAttributeValue(reader, attribute);
      element.attributes.push(attribute);
    }
  }
  const close = reader.u8();
  if (close === TOKEN.CLOSE_EMPTY_ELEMENT) return element;
  if (close !== TOKEN.CLOSE_START_ELEMENT) throw unexpectedToken(close, reader.position - 1, elementLabel(element));
  for (;;) {
    const contentToken = reader.peek();
    switch (contentToken & ~MORE_FLAG) {
      case TOKEN.END_ELEMENT:
        reader.skip(1);
        return element;
      case TOKEN.OPEN_START_ELEMENT:
        element.content.push(readElement(reader, dependencyIds, depth + 1));
        break;
      case TOKEN.NORMAL_SUBSTITUTION:
      case TOKEN.OPTIONAL_SUBSTITUTION: {
        const substitution = readSubstitution(reader);
        element.content.push(substitution);
        element.contentSubstitutions.push(substitution);
        break;
      }
      case TOKEN.PI_TARGET:
      case TOKEN.PI_DATA:
        readProcessingInstructionPart(reader);
        break;
      default: {
        const text = readText(reader);
        if (text === null) throw unexpectedToken(contentToken, reader.position, elementLabel(element));
        element.content.push(text);
      }
    }
  }
}

/** Value text, references and substitutions up to the next attribute or the end of the start tag. */
function readAttributeValue(reader: ChunkReader, attribute: AttributePattern): void {
  for (;;) {
    const token = reader.peek() & ~MORE_FLAG;
    if (token === TOKEN.NORMAL_SUBSTITUTION || token === TOKEN.OPTIONAL_SUBSTITUTION) {
      const substitution = readSubstitution(reader);
      attribute.parts.push(substitution);
      attribute.substitutions.push(substitution);
    } else {
      const text = readText(reader);
      if (text === null) return;
      attribute.parts.push(text);
    }
  }
}

/** Substitution token, value index (2), value type (1; the value's own descriptor is what counts). */
function readSubstitution(reader: ChunkReader): Substitution {
  reader.data.spend(NODE_COST);
  const optional = reader.u8() === TOKEN.OPTIONAL_SUBSTITUTION;
  const index = reader.u16();
  reader.skip(1);
  return { kind: "substitution", index, optional };
}

/**
 * A token that stands for literal text (value, CDATA, character or entity reference), or null for
 * any other token, left unread. Charged as a pattern part.
 */
function readText(reader: ChunkReader): string | null {
  let text: string;
  switch (reader.peek() & ~MORE_FLAG) {
    case TOKEN.VALUE: {
      reader.skip(1);
      const type = reader.u8();
      if (type !== VALUE_TYPE.STRING) throw new BinXmlError(`value token of type 0x${type.toString(16)}`);
      text = reader.utf16(reader.u16());
      break;
    }
    case TOKEN.CDATA_SECTION:
      reader.skip(1);
      text = reader.utf16(reader.u16());
      break;
    case TOKEN.CHAR_REFERENCE:
      reader.skip(1);
      text = String.fromCharCode(reader.u16());
      break;
    case TOKEN.ENTITY_REFERENCE: {
      reader.skip(1);
      const name = readName(reader);
      text = Object.hasOwn(PREDEFINED_ENTITIES, name) ? PREDEFINED_ENTITIES[name] : `&${name};`;
      break;
    }
    default:
      return null;
  }
  reader.data.spend(NODE_COST + text.length);
  return text;
}

/** A PI target (name) or PI data (text): read to get past it, as no field comes from it. */
function readProcessingInstructionPart(reader: ChunkReader): void {
  // Charged like any part, so a run of them cannot cost more than the budget allows.
  reader.data.spend(NODE_COST);
  if (reader.u8() === TOKEN.PI_TARGET) readName(reader);
  else reader.skip(reader.u16() * 2);
}

function valueType(values: SubstitutionValues, index: number): number {
  if (index >= values.types.length) throw new BinXmlError(`substitution ${index} has no value (${values.types.length} given)`);
  return values.types[index];
}

function arrayItems(data: ChunkData, values: SubstitutionValues, index: number): string[] {
  let items = values.arrays[index];
  if (items === undefined) {
    items = renderArrayItems(data, values.types[index], values.starts[index], values.sizes[index]);
    values.arrays[index] = items;
  }
  return items;
}

/** The text of a (non-BinXML) value; for an array, its item `item`. */
function substitutionText(data: ChunkData, values: SubstitutionValues, index: number, item: number): string {
  const type = values.types[index];
  if (type & ARRAY_FLAG) return arrayItems(data, values, index)[item] ?? "";
  let text = values.texts[index];
  if (text === undefined) {
    if (type === VALUE_TYPE.BINXML) throw new BinXmlError("BinXML value where text is expected");
    text = renderValue(data, type, values.starts[index], values.sizes[index]);
    values.texts[index] = text;
  }
  return text;
}

/**
 * How many copies a substitution list makes of its element or attribute: 0 when an optional
 * substitution has no value, the item count of the first array value (at least 1), else 1.
 */
function copiesFor(substitutions: Substitution[], values: SubstitutionValues, data: ChunkData): number {
  for (const substitution of substitutions) {
    if (valueType(values, substitution.index) === VALUE_TYPE.NULL && substitution.optional) return 0;
  }
  for (const substitution of substitutions) {
    if (values.types[substitution.index] & ARRAY_FLAG) return Math.max(1, arrayItems(data, values, substitution.index).length);
  }
  return 1;
}

/**
 * What instantiating an element or attribute pattern of `parts` parts costs, before its text:
 * NODE_COST for each copy and each part put into a copy; a unit a part when it is dropped (0
 * copies). Charged before the work, so no repetition works for free.
 */
function visitCost(parts: number, copies: number): number {
  return copies === 0 ? 1 + parts : copies * (1 + parts) * NODE_COST;
}

/** The pattern's element(s) with `values` substituted, appended to `out`. */
function instantiate(pattern: ElementPattern, values: SubstitutionValues, data: ChunkData, nesting: number, out: XmlElement[]): void {
  const copies = copiesFor(pattern.contentSubstitutions, values, data);
  data.spend(visitCost(pattern.content.length, copies));
  for (let item = 0; item < copies; item++) {
    const element: XmlElement = { name: pattern.name, attributes: [], children: [], text: "" };
    for (const attribute of pattern.attributes) instantiateAttribute(attribute, values, data, element.attributes);
    for (const part of pattern.content) {
      if (typeof part === "string") {
        data.spend(part.length);
        element.text += part;
      } else if (part.kind === "element") {
        instantiate(part, values, data, nesting, element.children);
      } else if (values.types[part.index] === VALUE_TYPE.BINXML) {
        appendValueDocument(data, values.starts[part.index], values.sizes[part.index], nesting + 1, element.children);
      } else {
        const text = substitutionText(data, values, part.index, item);
        data.spend(text.length);
        element.text += text;
      }
    }
    out.push(element);
  }
}

function instantiateAttribute(pattern: AttributePattern, values: SubstitutionValues, data: ChunkData, out: XmlAttribute[]): void {
  const copies = copiesFor(pattern.substitutions, values, data);
  data.spend(visitCost(pattern.parts.length, copies));
  for (let item = 0; item < copies; item++) {
    let value = "";
    for (const part of pattern.parts) {
      const text = typeof part === "string" ? part : substitutionText(data, values, part.index, item);
      data.spend(text.length);
      value += text;
    }
    out.push({ name: pattern.name, value });
  }
}

/**
 * The elements of the BinXML value in bytes[start, start + size), appended to `out`: parsed the
 * first time, shared after that, each repeat spending what the first expansion did.
 */
function appendValueDocument(data: ChunkData, start: number, size: number, nesting: number, out: XmlElement[]): void {
  const key = start * 0x10000 + size; // both under 64 Ki: a chunk is 64 KiB, a value size 16 bits
  let document = data.valueDocuments.get(key);
  if (document === undefined) {
    const spentBefore = data.spent;
    const elements: XmlElement[] = [];
    readDocument(new ChunkReader(data, start, start + size), false, nesting, elements);
    document = { elements, cost: data.spent - spentBefore };
    data.valueDocuments.set(key, document);
  } else {
    data.spend(document.cost);
  }
  for (const element of document.elements) out.push(element);
}
