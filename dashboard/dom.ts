/**
 * The dashboard's one element helper. The document is a value, never the global: pages
 * and cards are rendered in jsdom by the tests (test/dashboard, test/verdict) as in the
 * browser. Text children become text nodes, so nothing is ever parsed as HTML.
 */

export type Child = Node | string;

/** An element of `doc` with attributes (set as written) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** `el` bound to one document, for modules that build many elements: `const h = elementsOf(doc); h('p', {}, 'text')`. */
export function elementsOf(doc: Document) {
  return <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] => el(doc, tag, attrs, ...children);
}

export type Elements = ReturnType<typeof elementsOf>;
