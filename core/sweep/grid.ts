/** The cells of a grid (parameter → values), in axis order: the cartesian product. */
export function gridCells(grid: Record<string, unknown[]>): Array<Record<string, unknown>> {
  let cells: Array<Record<string, unknown>> = [{}];
  for (const [key, values] of Object.entries(grid)) {
    cells = cells.flatMap((cell) => values.map((v) => ({ ...cell, [key]: v })));
  }
  return cells;
}
