import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rendererCsp } from '../../src/shared/content-security-policy';

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
    const csp = directives(rendererCsp({ transport: 'electron' }));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'upres-image:']);
    expect(csp.get('object-src')).toEqual(["'none'"]);
  });

  it("relaxes only styles and the dev server's socket in dev", () => {
    const csp = directives(rendererCsp({ transport: 'electron', dev: true }));
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toContain("'unsafe-inline'");
    expect(csp.get('connect-src')).toContain('ws://localhost:*');
  });

  it('is what src/renderer/index.html carries', () => {
    const html = readFileSync(new URL('../../src/renderer/index.html', import.meta.url), 'utf8');
    expect(html).toContain(`content="${rendererCsp({ transport: 'electron' })}"`);
  });

  it('gives the loopback page its own socket and no image scheme, and forbids framing', () => {
    const csp = directives(rendererCsp({ transport: 'loopback', port: 4321 }));
    expect(csp.get('connect-src')).toEqual([
      "'self'",
      'ws://127.0.0.1:4321',
      'ws://localhost:4321',
    ]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives(rendererCsp({ transport: 'electron' })).has('frame-ancestors')).toBe(false);
  });
});
