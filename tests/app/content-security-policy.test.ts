import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rendererCsp } from '../../src/main/app/content-security-policy';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe('rendererCsp', () => {
  it('allows nothing inline or remote in builds', () => {
    const csp = directives(rendererCsp({ dev: false }));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'upres-image:']);
    expect(csp.get('object-src')).toEqual(["'none'"]);
  });

  it("relaxes only styles and the dev server's socket in dev", () => {
    const csp = directives(rendererCsp({ dev: true }));
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toContain("'unsafe-inline'");
    expect(csp.get('connect-src')).toContain('ws://localhost:*');
  });

  it('is what src/renderer/index.html carries', () => {
    const html = readFileSync(new URL('../../src/renderer/index.html', import.meta.url), 'utf8');
    expect(html).toContain(`content="${rendererCsp({ dev: false })}"`);
  });
});
