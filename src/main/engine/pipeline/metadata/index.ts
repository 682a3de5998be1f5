// The metadata a photo carries from input to output: one file per standard (exif, tiff-exif,
// xmp, iptc, icc) and per container (jpeg-segments, png-chunks, webp-chunks), written into the
// encoder's output by write-metadata.
export { collectMetadata, hasMetadataFor, type ImageMetadata } from './image-metadata';
export { patchExif } from './exif';
export { exifFromTiff } from './tiff-exif';
export { patchXmp } from './xmp';
export { normaliseIptc } from './iptc';
export { iccColourSpace, iccDescription, iccLabel } from './icc';
export { encodeWithMetadata } from './write-metadata';
export { outputDpi, statedDpi } from './resolution';
