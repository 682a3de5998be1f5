// Why a metadata block could not be read, as a kind: the note a user sees is chosen by the kind
// (and said in their language), never by matching the message text.
import { msg, type EngineMessage } from '../../../../shared/engine-message';

export type MetadataFaultKind = 'notTiff' | 'ifdOutside' | 'truncated';

/** A metadata structure that cannot be walked (the message stays the technical English one). */
export class MetadataFault extends Error {
  override name = 'MetadataFault';
  constructor(
    readonly kind: MetadataFaultKind,
    message: string,
  ) {
    super(message);
  }
}

const kindOf = (err: unknown): MetadataFaultKind | undefined =>
  err instanceof MetadataFault ? err.kind : undefined;

/** The note for an EXIF block left out because walking it failed with `err`. */
export function exifNotCarried(err: unknown): EngineMessage {
  switch (kindOf(err)) {
    case 'notTiff':
      return msg('pipeline.exifNotTiff');
    case 'ifdOutside':
      return msg('pipeline.exifIfdOutside');
    default:
      return msg('pipeline.exifNotCarried', { reason: (err as Error)?.message ?? String(err) });
  }
}

/** The note for a TIFF input whose tags could not be read into EXIF because of `err`. */
export function tiffTagsNotCarried(err: unknown): EngineMessage {
  if (kindOf(err) === 'truncated') return msg('pipeline.exifTiffTagsTruncated');
  return msg('pipeline.exifTiffTags', { reason: (err as Error)?.message ?? String(err) });
}
