/** The README's custom-experiment example, as a reader would copy it: tests post it, so the README stays true. */
import { readFileSync } from 'node:fs';

export function readmeExample(): { spec: Record<string, unknown>; id: string } {
  const readme = readFileSync('README.md', 'utf8');
  const post = readme.match(/curl -X POST http:\/\/127\.0\.0\.1:8787\/api\/experiments \\\n\s+-H 'content-type: application\/json' \\\n\s+-d '([^']*)'\n# → 201 \{"id":"(x[0-9a-f]{12})"/);
  if (!post) throw new Error('README: no curl example of POST /api/experiments followed by its answer');
  return { spec: JSON.parse(post[1]), id: post[2] };
}
