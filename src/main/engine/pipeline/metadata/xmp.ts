/** The XMP packet with tiff:Orientation set to 1 and the pixel dimensions set to the output's. */
export function patchXmp(xmp: Buffer, o: { width: number; height: number }): Buffer {
  const set = (s: string, names: string[], v: number): string => {
    for (const n of names) {
      s = s
        .replace(new RegExp(`(${n}\\s*=\\s*["'])\\d+(["'])`, 'g'), `$1${v}$2`)
        .replace(new RegExp(`(<${n}>)\\s*\\d+\\s*(</${n}>)`, 'g'), `$1${v}$2`);
    }
    return s;
  };
  let s = xmp.toString('utf8');
  s = set(s, ['tiff:Orientation'], 1);
  s = set(s, ['tiff:ImageWidth', 'exif:PixelXDimension'], o.width);
  s = set(s, ['tiff:ImageLength', 'exif:PixelYDimension'], o.height);
  return Buffer.from(s, 'utf8');
}
