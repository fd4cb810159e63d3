/** Test helper: parses an SVG/XHTML fragment as XML, so a test can assert it is well-formed and query it. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** `true`, or the parser's complaint with its line. */
export function wellFormed(xml: string): true | string {
  const r = XMLValidator.validate(xml);
  return r === true ? true : `${r.err.msg} (line ${r.err.line})`;
}

/** Every element named `tag` in the document, with its attributes (`@_name`) as parsed. */
export function elements(xml: string, tag: string): Array<Record<string, unknown>> {
  const doc = new XMLParser({ ignoreAttributes: false, preserveOrder: true }).parse(xml) as unknown[];
  const found: Array<Record<string, unknown>> = [];
  const walk = (nodes: unknown): void => {
    if (!Array.isArray(nodes)) return;
    for (const node of nodes) {
      if (!node || typeof node !== 'object') continue;
      const rec = node as Record<string, unknown>;
      for (const [k, v] of Object.entries(rec)) {
        if (k === ':@') continue;
        if (k === tag) found.push((rec[':@'] as Record<string, unknown> | undefined) ?? {});
        walk(v);
      }
    }
  };
  walk(doc);
  return found;
}
