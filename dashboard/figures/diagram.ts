/**
 * The notebook's `draw_neural_net` as Plot marks: layers spaced evenly left to right,
 * nodes as white circles with black edges, every node joined to every node of the next layer.
 * Wide layers are drawn with at most `maxNodes` nodes for legibility.
 */
import type { FigureContext } from './types';

export function networkDiagram(ctx: FigureContext, layerSizes: number[], maxNodes = 12): Element {
  const { Plot } = ctx;
  const shown = layerSizes.map((n) => Math.min(n, maxNodes));
  const tallest = Math.max(...shown);
  const nodes = shown.flatMap((n, l) => Array.from({ length: n }, (_, i) => ({ l, y: (tallest - n) / 2 + i, n: layerSizes[l] })));
  const edges = shown.slice(0, -1).flatMap((n, l) =>
    Array.from({ length: n }, (_, i) =>
      Array.from({ length: shown[l + 1] }, (_, j) => ({ x1: l, y1: (tallest - n) / 2 + i, x2: l + 1, y2: (tallest - shown[l + 1]) / 2 + j })),
    ).flat(),
  );
  return Plot.plot({
    document: ctx.document,
    width: 200,
    height: 150,
    axis: null,
    margin: 12,
    x: { domain: [-0.2, shown.length - 0.8] },
    y: { domain: [-0.6, tallest - 0.4] },
    marks: [
      Plot.link(edges, { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: 'black', strokeOpacity: 0.5 }),
      Plot.dot(nodes, { x: 'l', y: 'y', r: Math.max(2, 40 / tallest), fill: 'white', stroke: 'black' }),
    ],
  });
}
