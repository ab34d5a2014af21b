/**
 * Figure export: the figure as one standalone SVG file and as a PNG. A figure is HTML
 * (titles, legends, captions, grids of panels) around Plot's SVGs, so the SVG wraps a copy
 * of it in a <foreignObject> with the page's styles inlined: it looks the same in any
 * browser, and Plot's own marks stay vector. The PNG draws that SVG into a canvas at twice
 * the size (data: URLs are allowed by the dashboard's CSP img-src).
 */
import { el } from './dom';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XHTML_NS = 'http://www.w3.org/1999/xhtml';

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The stylesheet rules the document can read (same-origin sheets), as text. */
export function pageCss(doc: Document): string {
  const out: string[] = [];
  for (const sheet of Array.from(doc.styleSheets)) {
    try {
      for (const rule of Array.from(sheet.cssRules)) out.push(rule.cssText);
    } catch {
      /* a cross-origin sheet: its rules are not readable, and not ours */
    }
  }
  return out.join('\n');
}

/**
 * A standalone SVG document of `node` at `width` × `height` CSS pixels: `node` is cloned
 * into an XHTML <foreignObject> after a <style> with `css`, on a white background.
 */
export function figureSvg(node: Element, o: { width: number; height: number; css: string }): string {
  const doc = node.ownerDocument;
  const serializer = new (doc.defaultView as unknown as { XMLSerializer: typeof XMLSerializer }).XMLSerializer();
  const clone = node.cloneNode(true) as Element;
  // Interactive bits (selects, buttons) make no sense in a picture.
  for (const e of Array.from(clone.querySelectorAll('button, select, input'))) e.remove();
  const body = serializer.serializeToString(clone);
  const w = Math.ceil(o.width);
  const h = Math.ceil(o.height);
  return (
    `<svg xmlns="${SVG_NS}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<foreignObject x="0" y="0" width="${w}" height="${h}">` +
    `<div xmlns="${XHTML_NS}" style="font-family: system-ui, sans-serif; color: #1f2328;">` +
    `<style>${escapeText(o.css)}</style>${body}</div></foreignObject></svg>`
  );
}

/** Draws an SVG document into a canvas `scale` times its size and returns the PNG. */
export async function svgToPng(doc: Document, svg: string, o: { width: number; height: number; scale?: number }): Promise<Blob> {
  const scale = o.scale ?? 2;
  const img = new (doc.defaultView as Window & typeof globalThis).Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const canvas = doc.createElement('canvas');
  canvas.width = Math.ceil(o.width * scale);
  canvas.height = Math.ceil(o.height * scale);
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2d canvas');
  g.fillStyle = 'white';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas gave no PNG'))), 'image/png'));
}

export function download(doc: Document, blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = el(doc, 'a', { href: url, download: filename });
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Size of what is drawn, including panels wider than the card (scroll size). */
function sizeOf(node: Element): { width: number; height: number } {
  const r = node.getBoundingClientRect();
  return { width: Math.max(r.width, node.scrollWidth), height: Math.max(r.height, node.scrollHeight) };
}

/** "SVG" and "PNG" buttons that download `target()` (the figure element) as `<base>.svg|png`. */
export function exportButtons(doc: Document, target: () => Element | null, base: string): HTMLElement[] {
  const svgButton = el(doc, 'button', { id: 'export-svg', title: 'Download the figure as SVG' }, 'SVG');
  const pngButton = el(doc, 'button', { id: 'export-png', title: 'Download the figure as PNG (2× resolution)' }, 'PNG');
  const make = () => {
    const node = target();
    if (!node) throw new Error('no figure to export yet');
    const size = sizeOf(node);
    return { svg: figureSvg(node, { ...size, css: pageCss(doc) }), size };
  };
  svgButton.addEventListener('click', () => {
    const { svg } = make();
    download(doc, new Blob([svg], { type: 'image/svg+xml' }), `${base}.svg`);
  });
  pngButton.addEventListener('click', async () => {
    try {
      const { svg, size } = make();
      download(doc, await svgToPng(doc, svg, size), `${base}.png`);
    } catch (err) {
      pngButton.title = `PNG export failed: ${String(err)}`;
      throw err;
    }
  });
  return [svgButton, pngButton];
}
