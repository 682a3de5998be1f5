// A model file refused, in a sentence from the modelFiles catalogue: its key and values travel
// with the error (UpresError.detail), so the UI can say it in its own language.
import { msg, type EngineMessageKey, type MessageParams } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';

/** `model.refused` with a catalogue sentence (which names the file in its `file` value). */
export function refused(key: EngineMessageKey, params: MessageParams): UpresError {
  return new UpresError('model.refused', msg(key, params));
}
