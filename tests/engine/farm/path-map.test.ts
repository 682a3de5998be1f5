import { describe, expect, it } from 'vitest';
import { mapPath, parseMapRule } from '../../../src/main/engine/farm/path-map';

describe('--map rules', () => {
  it('parses from=to and refuses anything else', () => {
    expect(parseMapRule('/Volumes/Photos=/mnt/photos')).toEqual({
      from: '/Volumes/Photos',
      to: '/mnt/photos',
    });
    expect(parseMapRule('P:\\Photos\\=/mnt/p')).toEqual({ from: 'P:/Photos', to: '/mnt/p' });
    for (const bad of ['/a', '=/b', '/a=', 'rel=/b', '/a=rel'])
      expect(() => parseMapRule(bad), bad).toThrow(/expected <from>=<to>/);
  });

  it('rewrites whole leading segments, the longest rule first', () => {
    const rules = ['/Volumes/Photos=/mnt/photos', '/Volumes/Photos/raw=/srv/raw'].map(parseMapRule);
    expect(mapPath('/Volumes/Photos/2024/a.jpg', rules)).toBe('/mnt/photos/2024/a.jpg');
    expect(mapPath('/Volumes/Photos/raw/b.tif', rules)).toBe('/srv/raw/b.tif');
    expect(mapPath('/Volumes/Photos', rules)).toBe('/mnt/photos');
    // A prefix by characters only is not a match.
    expect(mapPath('/Volumes/PhotosOld/a.jpg', rules)).toBeUndefined();
    expect(mapPath('/home/me/a.jpg', rules)).toBeUndefined();
  });

  it('maps a Windows submitter to a Linux worker', () => {
    const rules = [parseMapRule('P:\\Shoots=/mnt/shoots')];
    expect(mapPath('P:\\Shoots\\2025\\x.png', rules)).toBe('/mnt/shoots/2025/x.png');
  });

  it('takes paths as they are when there are no rules', () => {
    expect(mapPath('/data/a.png', [])).toBe('/data/a.png');
  });
});
