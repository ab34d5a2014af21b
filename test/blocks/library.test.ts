import { expect, test } from 'vitest';
import { BLOCK_FAMILIES } from '../../core/blocks';

test('parameter names are flat and unique across the whole library, so a spec never has two with one name', () => {
  const owner = new Map<string, string>();
  for (const [family, blocks] of Object.entries(BLOCK_FAMILIES)) {
    for (const block of Object.values(blocks)) {
      expect(Object.keys(block.defaults).sort(), `${family}.${block.kind} defaults`).toEqual(Object.keys(block.shape).sort());
      for (const key of Object.keys(block.shape)) {
        expect(key).toMatch(/^[A-Za-z0-9_]+$/);
        expect(key).not.toBe('block');
        const other = owner.get(key);
        // Blocks of the same family are alternatives, so they may share a name (n, test_n).
        if (other && other.split('.')[0] !== family) throw new Error(`${key} belongs to ${other} and ${family}.${block.kind}`);
        owner.set(key, `${family}.${block.kind}`);
      }
    }
  }
});
