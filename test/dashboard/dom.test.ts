/** The dashboard's element helper (dashboard/dom.ts), in jsdom as every page and card is tested. */
import { JSDOM } from 'jsdom';
import { expect, test } from 'vitest';
import { el, elementsOf } from '../../dashboard/dom';

test('el: attributes as written, children in order, text never parsed as HTML; elementsOf binds the document', () => {
  const doc = new JSDOM('<!doctype html><html><body></body></html>').window.document as Document;
  const p = el(doc, 'p', { class: 'meta', 'data-x': '1' }, '<b>not bold</b>', el(doc, 'i', {}, 'i'));
  expect(p.outerHTML).toBe('<p class="meta" data-x="1">&lt;b&gt;not bold&lt;/b&gt;<i>i</i></p>');
  expect(p.ownerDocument).toBe(doc);
  const h = elementsOf(doc);
  const input = h('input', { type: 'checkbox' });
  expect([input.ownerDocument === doc, input.type, h('ul').children.length]).toEqual([true, 'checkbox', 0]);
});
