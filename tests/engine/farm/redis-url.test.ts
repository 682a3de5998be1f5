import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redact, redactUrl } from '../../../src/main/engine/farm/redis-url';

describe('Redis URLs and secrets', () => {
  it('hides the password of redis:// and rediss:// URLs, keeps everything else', () => {
    const t = parseRedisUrl('rediss://farm:Pa55-w0rd@nas.local:6380/2');
    expect(t.tls).toBe(true);
    expect(t.shown).toBe('rediss://farm:***@nas.local:6380/2');
    expect(t.shown).not.toContain('Pa55');
    expect(redactUrl('redis://:hunter2@h:1')).toBe('redis://:***@h:1');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
  });

  it('takes the password from the environment and still knows it is secret', () => {
    const t = parseRedisUrl('redis://127.0.0.1:7000', { password: 'p@ss/word' });
    expect(t.url).toBe('redis://:p%40ss%2Fword@127.0.0.1:7000');
    expect(redact(`AUTH failed for p@ss/word at ${t.url}`, t.secrets)).toBe(
      'AUTH failed for *** at redis://:***@127.0.0.1:7000',
    );
  });

  it('scrubs secrets from any text, however a library quotes them', () => {
    const t = parseRedisUrl('redis://u:s3cr%21t@h:1');
    const text = `connect to redis://u:s3cr%21t@h:1 failed; password s3cr!t refused`;
    const clean = redact(text, t.secrets);
    expect(clean).not.toMatch(/s3cr/);
  });

  it('refuses what is not a Redis URL, without echoing a password', () => {
    expect(() => parseRedisUrl('http://u:secret@h:1')).toThrow(/scheme must be redis/);
    expect(() => parseRedisUrl('http://u:secret@h:1')).not.toThrow(/secret/);
    expect(() => parseRedisUrl('nonsense')).toThrow(/not a Redis URL/);
  });
});
