import { loadWeights, type LoadedModel } from '../../src/main/engine/runtime/loaded-model';
import { TINY_SRVGG, randomWeights } from './random-models';

/**
 * A tiny SRVGG whose last convolution is zero: its residual branch adds nothing, so it returns the
 * nearest-neighbour ×4 enlargement of its input exactly. An oracle for what the pipeline does to the
 * values around the model (colour management, bit depth, transparency).
 */
export async function loadIdentityModel(): Promise<LoadedModel> {
  const w = randomWeights(TINY_SRVGG, 5);
  const last = `body.${2 * TINY_SRVGG.convs + 2}`;
  w.get(`${last}.weight`)!.fill(0);
  w.get(`${last}.bias`)!.fill(0);
  return loadWeights('identity', TINY_SRVGG, w, { device: 'cpu' });
}
