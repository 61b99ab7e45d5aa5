/**
 * BinXML tokens and value types, each in a small record assembled byte by byte with the test
 * builder; every expected answer is worked out by hand from the bytes written.
 */
import { describe, expect, it, vi } from "vitest";
import { readRecordElements, type XmlElement } from "./binxml";
import { ChunkData } from "./chunk-data";
import { EvtxStreamParser, type EvtxItem } from "./evtx-stream-parser";
import { ChunkWriter, evtxFile, sysmonLikeTemplate, sysmonLikeValues, value, type Content, type Value } from "./evtx-test-builder";

/** 2020-10-20T11:50:51.8046383Z: 132476682518046383 ticks of 100 ns since 1601 (worked out with Python's datetime). */
const WRITTEN = 132476682518046383n;

/** The elements of one record whose BinXML `body` writes. */
function elementsOf(body: Content): XmlElement[] {
  const writer = new ChunkWriter().record({ number: 1n }, body);
  const chunk = writer.finish();
  const size = new DataView(chunk.buffer).getUint32(512 + 4, true);
  return readRecordElements(new ChunkData(chunk), 512 + 24, 512 + size - 4);
}

function parse(write: (w: ChunkWriter) => void): EvtxItem[] {
  const writer = new ChunkWriter();
  write(writer);
  const parser = new EvtxStreamParser();
  return [...parser.push(evtxFile([writer.finish()])), ...parser.end()];
}

/** One Sysmon-like record whose single Data item "V" holds `data`: the flattened record. */
function recordWith(data: Value, options: { optionalData?: boolean } = {}): Record<string, string> {
  const items = parse((w) =>
    w.record({ number: 1n }, (r) => r.fragmentHeader().templateInstance("t", sysmonLikeTemplate(["V"], options), sysmonLikeValues({ written: WRITTEN, eventRecordId: 7n, data: [data] })).eof()),
  );
  expect(items).toHaveLength(1);
  if (items[0].kind !== "record") throw new Error(items[0].message);
  return items[0].record;
}

const dataText = (data: Value) => recordWith(data).V;

/** A plain element as the tree has it. */
const el = (name: string, text = "", attributes: [string, string][] = [], children: XmlElement[] = []): XmlElement => ({
  name,
  attributes: attributes.map(([attributeName, attributeValue]) => ({ name: attributeName, value: attributeValue })),
  children,
  text,
});

describe("value types", () => {
  it("renders strings without their trailing NULs only", () => {
    expect(dataText(value.string("h\u00e9llo\0\0"))).toBe("h\u00e9llo");
    expect(dataText(value.string("a\0b"))).toBe("a\0b");
    expect(dataText(value.string(""))).toBe("");
    expect(dataText(value.string("\u4e2d"))).toBe("\u4e2d");
  });

  it("renders ANSI strings as Windows-1252", () => {
    expect(dataText(value.ansi([0x41, 0xe9, 0x80, 0x00]))).toBe("A\u00e9\u20ac");
  });

  it("renders NULL as empty text", () => {
    expect(dataText(value.null())).toBe("");
  });

  it("renders integers in decimal with their sign", () => {
    expect(dataText(value.raw(0x03, [0xfb]))).toBe("-5");
    expect(dataText(value.raw(0x04, [0xfa]))).toBe("250");
    expect(dataText(value.raw(0x05, [0xd4, 0xfe]))).toBe("-300");
    expect(dataText(value.raw(0x06, [0xe8, 0xfd]))).toBe("65000");
    expect(dataText(value.raw(0x07, [0x90, 0xee, 0xfe, 0xff]))).toBe("-70000");
    expect(dataText(value.raw(0x08, [0x00, 0x28, 0x6b, 0xee]))).toBe("4000000000");
    expect(dataText(value.raw(0x09, [0x00, 0x00, 0x7c, 0x1d, 0xaf, 0x93, 0x19, 0x83]))).toBe("-9000000000000000000");
    expect(dataText(value.raw(0x0a, [0x00, 0x00, 0x08, 0xc5, 0xa1, 0xd8, 0xcc, 0xf9]))).toBe("18000000000000000000");
  });

  it("renders size_t of either width in decimal", () => {
    expect(dataText(value.raw(0x10, [0x34, 0x12, 0, 0]))).toBe("4660");
    expect(dataText(value.raw(0x10, [0x34, 0x12, 0, 0, 0, 0, 0, 1]))).toBe("72057594037932596");
  });

  it("renders reals as the shortest decimal", () => {
    expect(dataText(value.raw(0x0b, [0x00, 0x00, 0xc0, 0x3f]))).toBe("1.5");
    expect(dataText(value.raw(0x0c, [0, 0, 0, 0, 0, 0, 0xd0, 0xbf]))).toBe("-0.25");
  });

  it("renders booleans as true for any non-zero value", () => {
    expect(dataText(value.raw(0x0d, [1, 0, 0, 0]))).toBe("true");
    expect(dataText(value.raw(0x0d, [0, 0, 0, 0]))).toBe("false");
    expect(dataText(value.raw(0x0d, [0, 2, 0, 0]))).toBe("true");
  });

  it("renders binary as uppercase hex", () => {
    expect(dataText(value.raw(0x0e, [0x00, 0xab, 0x10]))).toBe("00AB10");
  });

  it("renders GUIDs lowercase in braces, the first three fields little-endian", () => {
    const bytes = [0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];
    expect(dataText(value.raw(0x0f, bytes))).toBe("{00112233-4455-6677-8899-aabbccddeeff}");
  });

  it("renders FILETIME as ISO 8601 UTC keeping all seven fractional digits", () => {
    const ticks = (n: bigint) => value.raw(0x11, [...new Uint8Array(new BigUint64Array([n]).buffer)]);
    expect(dataText(ticks(132023108961234567n))).toBe("2019-05-14T12:34:56.1234567Z");
    expect(dataText(ticks(0n))).toBe("1601-01-01T00:00:00.0000000Z");
  });

  it("renders SYSTEMTIME as ISO 8601 UTC with milliseconds", () => {
    expect(dataText(value.systemtime([2019, 5, 2, 14, 12, 34, 56, 789]))).toBe("2019-05-14T12:34:56.789Z");
  });

  it("renders SIDs in S-R-A-S... form", () => {
    expect(dataText(value.raw(0x13, [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]))).toBe("S-1-5-18");
    expect(dataText(value.raw(0x13, [1, 2, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xf4, 0x01, 0, 0]))).toBe("S-1-5-21-500");
    // An authority of 2^32 or more is written in hex, as Windows writes it.
    expect(dataText(value.raw(0x13, [1, 0, 0, 1, 0, 0, 0, 0]))).toBe("S-1-0x000100000000");
  });

  it("renders hex integers as zero-padded lowercase hex", () => {
    expect(dataText(value.raw(0x14, [0x1f, 0, 0, 0]))).toBe("0x0000001f");
    expect(dataText(value.raw(0x15, [0x8c, 0xed, 0x17, 0, 0, 0, 0, 0x80]))).toBe("0x800000000017ed8c");
  });

  it("reports a record whose value does not fit its type, and only that record", () => {
    const items = parse((w) => {
      const template = sysmonLikeTemplate(["V"]);
      w.record({ number: 1n }, (r) => r.fragmentHeader().templateInstance("t", template, sysmonLikeValues({ written: WRITTEN, eventRecordId: 1n, data: [value.raw(0x07, [1, 2])] })).eof());
      w.record({ number: 2n }, (r) => r.fragmentHeader().templateInstance("t", template, sysmonLikeValues({ written: WRITTEN, eventRecordId: 2n, data: [value.raw(0x20, [1, 2])] })).eof());
      w.record({ number: 3n }, (r) => r.fragmentHeader().templateInstance("t", template, sysmonLikeValues({ written: WRITTEN, eventRecordId: 3n, data: [value.string("ok")] })).eof());
    });
    expect(items.map((item) => (item.kind === "record" ? item.record.V : item.message))).toEqual([
      "chunk 0: record 1: value of type 0x07 has 2 bytes, not 4, 1 record skipped",
      "chunk 0: record 2: unsupported value type 0x20, 1 record skipped",
      "ok",
    ]);
  });
});

describe("arrays", () => {
  const arrayElements = (data: Value) =>
    elementsOf((r) => r.fragmentHeader().templateInstance("t", (t) => t.element("D", [], (c) => c.element("Data", [["Name", (a) => a.text("A")]], (d) => d.sub(0, data.type))), [data]).eof());

  it("repeat the element holding the substitution once per item", () => {
    const [root] = arrayElements(value.stringArray(["one", "two", "", "three"]));
    expect(root.children.map((child) => child.text)).toEqual(["one", "two", "", "three"]);
    expect(root.children.every((child) => child.attributes[0].value === "A")).toBe(true);
  });

  it("render each item as its scalar type", () => {
    expect(arrayElements(value.raw(0x88, [1, 0, 0, 0, 2, 0, 0, 0]))[0].children.map((child) => child.text)).toEqual(["1", "2"]);
    expect(arrayElements(value.raw(0x94, [0x1f, 0, 0, 0, 0xbc, 0x0a, 0, 0]))[0].children.map((child) => child.text)).toEqual(["0x0000001f", "0x00000abc"]);
    expect(arrayElements(value.raw(0x82, [0x61, 0, 0x62, 0x63, 0]))[0].children.map((child) => child.text)).toEqual(["a", "bc"]);
    const sids = [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0];
    expect(arrayElements(value.raw(0x93, sids))[0].children.map((child) => child.text)).toEqual(["S-1-5-18", "S-1-5-32-544"]);
    const guids = [...new Array(15).fill(0), 1, 0xff, ...new Array(15).fill(0)];
    expect(arrayElements(value.raw(0x8f, guids))[0].children.map((child) => child.text)).toEqual(["{00000000-0000-0000-0000-000000000001}", "{000000ff-0000-0000-0000-000000000000}"]);
  });

  it("make one empty element when empty", () => {
    expect(arrayElements(value.raw(0x81, []))[0].children).toEqual([el("Data", "", [["Name", "A"]])]);
  });

  it("repeat an attribute holding one", () => {
    const [root] = elementsOf((r) => r.fragmentHeader().templateInstance("t", (t) => t.element("E", [["A", (a) => a.sub(0, 0x81)]]), [value.stringArray(["x", "y"])]).eof());
    expect(root).toEqual(el("E", "", [["A", "x"], ["A", "y"]]));
  });

  it("flatten to the first item, as a repeated Data name does in the XML readers", () => {
    expect(recordWith(value.stringArray(["first", "second"])).V).toBe("first");
  });
});

describe("tokens", () => {
  it("reads a template's elements, attributes, text and substitutions", () => {
    const elements = elementsOf((r) =>
      r
        .fragmentHeader()
        .templateInstance(
          "t",
          (t) =>
            t.element("Event", [["xmlns", (a) => a.text("urn:x")]], (e) => {
              e.element("Empty", [
                ["A", (a) => a.text("1")],
                ["B", (a) => a.text("x", true).sub(0, 0x01).text("z")],
              ]);
              e.element("Text", [], (c) => c.text("ab", true).text("cd"));
              e.element("Sub", [], (c) => c.sub(1, 0x08));
            }),
          [value.string("y"), value.uint32(42)],
        )
        .eof(),
    );
    expect(elements).toEqual([
      el("Event", "", [["xmlns", "urn:x"]], [
        el("Empty", "", [
          ["A", "1"],
          ["B", "xyz"],
        ]),
        el("Text", "abcd"),
        el("Sub", "42"),
      ]),
    ]);
  });

  it("turns CDATA, character and entity references into text and drops processing instructions", () => {
    const [root] = elementsOf((r) =>
      r.fragmentHeader().element("R", [], (c) =>
        c.cdata("<raw>", true).charRef(0xe9, true).entityRef("amp", true).entityRef("lt", true).entityRef("nbsp", true).pi("target", "data").text("!"),
      ),
    );
    expect(root).toEqual(el("R", "<raw>\u00e9&<&nbsp;!"));
  });

  it("reads a record of plain elements (no template), dependency identifiers included", () => {
    const elements = elementsOf((r) => r.fragmentHeader().element("A", [["k", (a) => a.text("v")]], (c) => c.element("B", [], (b) => b.text("t"))).eof());
    expect(elements).toEqual([el("A", "", [["k", "v"]], [el("B", "t")])]);
  });

  it("drops the element or attribute of an optional substitution whose value is NULL", () => {
    const [root] = elementsOf((r) =>
      r
        .fragmentHeader()
        .templateInstance(
          "t",
          (t) =>
            t.element("E", [], (e) => {
              e.element("Gone", [], (c) => c.sub(0, 0x01, true));
              e.element("Kept", [["A", (a) => a.sub(0, 0x01, true)], ["B", (a) => a.sub(1, 0x01, true)]]);
              e.element("EmptyString", [], (c) => c.sub(1, 0x01, true));
              e.element("NormalNull", [], (c) => c.sub(0, 0x01));
            }),
          [value.null(), value.string("")],
        )
        .eof(),
    );
    expect(root.children).toEqual([el("Kept", "", [["B", ""]]), el("EmptyString"), el("NormalNull")]);
  });

  it("reads BinXML-typed values as child elements", () => {
    const [root] = elementsOf((r) =>
      r
        .fragmentHeader()
        .templateInstance("outer", (t) => t.element("E", [], (e) => e.sub(0, 0x21).sub(1, 0x21).sub(2, 0x21)), [
          // An element straight away has no dependency identifier...
          value.binxml((v) => v.element("Plain", [["A", (a) => a.text("v")]], (c) => c.text("1"), { dependency: false })),
          // ...but after a fragment header it has one.
          value.binxml((v) => v.fragmentHeader().element("Fragment", [], (c) => c.text("2")).eof()),
          value.binxml((v) => v.fragmentHeader().templateInstance("inner", (t) => t.element("Inner", [], (c) => c.sub(0, 0x01)), [value.string("3")]).eof()),
        ])
        .eof(),
    );
    expect(root).toEqual(el("E", "", [], [el("Plain", "1", [["A", "v"]]), el("Fragment", "2"), el("Inner", "3")]));
  });

  it("parses a BinXML value once however often the template repeats it, its copies sharing elements", () => {
    const [root] = elementsOf((r) =>
      r
        .fragmentHeader()
        .templateInstance("outer", (t) => t.element("E", [], (e) => e.sub(0, 0x21).sub(0, 0x21).sub(0, 0x21)), [
          value.binxml((v) => v.fragmentHeader().templateInstance("inner", (t) => t.element("Inner", [], (c) => c.sub(0, 0x01)), [value.string("x")]).eof()),
        ])
        .eof(),
    );
    expect(root).toEqual(el("E", "", [], [el("Inner", "x"), el("Inner", "x"), el("Inner", "x")]));
    expect(root.children[1]).toBe(root.children[0]);
    expect(root.children[2]).toBe(root.children[0]);
  });

  it("decodes a string value once however often the template repeats it", () => {
    const text = "told apart from the names by its length";
    const decode = vi.spyOn(ChunkData.prototype, "utf16");
    try {
      const [root] = elementsOf((r) =>
        r
          .fragmentHeader()
          .templateInstance("t", (t) => t.element("E", [["A", (a) => a.sub(0, 0x01).sub(0, 0x01)]], (e) => e.sub(0, 0x01).sub(0, 0x01).sub(0, 0x01)), [value.string(text)])
          .eof(),
      );
      expect(root).toEqual(el("E", text.repeat(3), [["A", text.repeat(2)]]));
      expect(decode.mock.calls.filter(([, byteLength]) => byteLength === text.length * 2)).toHaveLength(1);
    } finally {
      decode.mockRestore();
    }
  });

  it("reuses names and templates stored earlier in the chunk", () => {
    const items = parse((w) => {
      for (const n of [1n, 2n, 3n]) {
        w.record({ number: n }, (r) => r.fragmentHeader().templateInstance("t", sysmonLikeTemplate(["Image", "User"]), sysmonLikeValues({ written: WRITTEN + n, eventRecordId: 100n + n, data: [value.string(`p${n}`), value.string("")] })).eof());
      }
    });
    expect(items.map((item) => item.kind === "record" && [item.recordNumber, item.record.EventRecordID, item.record.Image, item.record.TimeCreated])).toEqual([
      [1, "101", "p1", "2020-10-20T11:50:51.8046384Z"],
      [2, "102", "p2", "2020-10-20T11:50:51.8046385Z"],
      [3, "103", "p3", "2020-10-20T11:50:51.8046386Z"],
    ]);
  });
});

describe("flattened records", () => {
  it("carry the System fields, EventRecordID from System rather than the record header, and every Data item", () => {
    const items = parse((w) =>
      w.record({ number: 1n }, (r) =>
        r
          .fragmentHeader()
          .templateInstance(
            "t",
            sysmonLikeTemplate(["Image", "User", "Single", "EventID", "__proto__"]),
            sysmonLikeValues({
              eventId: 1,
              written: WRITTEN,
              eventRecordId: 621n,
              computer: "DESKTOP-1",
              data: [value.string("<unknown process>"), value.string(""), value.string("\u00e9"), value.string("99"), value.string("polluted?")],
            }),
          )
          .eof(),
      ),
    );
    expect(items).toHaveLength(1);
    const item = items[0];
    expect(item.kind === "record" && item.recordNumber).toBe(1);
    const record = item.kind === "record" ? item.record : {};
    expect(Object.entries(record)).toEqual([
      ["EventID", "1"],
      ["Computer", "DESKTOP-1"],
      ["TimeCreated", "2020-10-20T11:50:51.8046383Z"],
      ["Channel", "Microsoft-Windows-Sysmon/Operational"],
      ["ProviderName", "Microsoft-Windows-Sysmon"],
      ["SourceName", "Microsoft-Windows-Sysmon"],
      ["EventRecordID", "621"],
      ["Image", "<unknown process>"],
      ["User", ""],
      ["Single", "\u00e9"],
      ["__proto__", "polluted?"],
    ]);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  });

  it("leave out a Data item dropped by an optional NULL substitution", () => {
    expect(recordWith(value.null(), { optionalData: true }).V).toBeUndefined();
  });

  it("are damage when the event has no System/EventID", () => {
    const items = parse((w) => w.record({ number: 5n }, (r) => r.fragmentHeader().element("Event", [], (c) => c.element("System", [], (s) => s.element("Computer", [], (t) => t.text("x")))).eof()));
    expect(items).toEqual([{ kind: "damage", message: "chunk 0: record 5: no event with a System/EventID, 1 record skipped", recordsSkipped: 1 }]);
  });
});
