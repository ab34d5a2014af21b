/** The byte counts behind D1's value and row limits (core/limits/guard.ts). */
import { describe, expect, test } from 'vitest';
import { D1_LIMITS, PlatformLimitError } from '../../core/limits/cloudflare';
import { checkRows, checkStatement, checkValues, placeholderCount, utf8Bytes } from '../../core/limits/guard';

const limit = (f: () => void) => {
  try {
    f();
  } catch (err) {
    if (err instanceof PlatformLimitError) return err.limit;
    throw err;
  }
  return null;
};

describe('limit guard', () => {
  test('UTF-8 bytes as D1 counts them, without encoding', () => {
    for (const s of ['', 'abc', 'é', '€', '𝄞', 'a€𝄞é', 'x'.repeat(1000)]) expect(utf8Bytes(s)).toBe(new TextEncoder().encode(s).length);
  });

  test('placeholders outside quotes only', () => {
    expect(placeholderCount(`SELECT ? , '?' , "a?" , [b?], \`c?\` WHERE x = ?`)).toBe(2);
  });

  test('values and rows: ASCII under the limit passes, multi-byte text over it fails though its length is under', () => {
    const euros = '€'.repeat(D1_LIMITS.valueBytes / 3 + 1); // 3 bytes each: over by 3 bytes
    expect(euros.length).toBeLessThan(D1_LIMITS.valueBytes);
    expect(limit(() => checkValues([euros], 'q'))).toBe('D1.valueBytes');
    expect(limit(() => checkValues(['x'.repeat(D1_LIMITS.valueBytes)], 'q'))).toBeNull();
    expect(limit(() => checkRows([{ a: 'x'.repeat(D1_LIMITS.rowBytes / 2), b: 'x'.repeat(D1_LIMITS.rowBytes / 2) }], 'q'))).toBeNull();
    expect(limit(() => checkRows([['x'.repeat(D1_LIMITS.rowBytes / 2), '€'.repeat(D1_LIMITS.rowBytes / 6 + 1)]], 'q'))).toBe('D1.rowBytes');
    expect(limit(() => checkStatement('SELECT 1', Array(101).fill(0)))).toBe('D1.boundParameters');
  });
});
