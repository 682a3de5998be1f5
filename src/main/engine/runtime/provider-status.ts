import type { Audience, ExecutionDevice, ProviderStatus } from '../../../shared/device';
import type { DeviceChoiceStore, MeasuredChoice } from './device-choice-store';
import { currentPlatform } from './open-session';
import { preferredDevices, unavailableReason, type PlatformInfo } from './provider-select';

/**
 * Each provider of this platform as Settings lists it: unavailable (and why) when it is missing
 * or failed its last measurement, in use when `auto`'s latest measurement chose it (or, with none,
 * when it is first in the order), else available; with its latest measured speed.
 */
export async function providerStatuses(
  store: DeviceChoiceStore,
  audience: Audience = 'app',
  info: PlatformInfo = currentPlatform(audience),
): Promise<ProviderStatus[]> {
  const devices: ExecutionDevice[] = [...preferredDevices(info.platform, info.arch), 'cpu'];
  const latest = (await store.all())
    .slice()
    .sort((a, b) => b.measuredAt.localeCompare(a.measuredAt));
  const last = latest[0] as MeasuredChoice | undefined;
  const statuses = devices.map((name): ProviderStatus => {
    const missing = unavailableReason(name, info);
    const failed = last?.failed.find((f) => f.device === name);
    const measured = latest.find((c) => c.speeds.some((s) => s.device === name));
    const s = measured?.speeds.find((x) => x.device === name);
    const speed =
      measured && s
        ? {
            family: measured.family,
            fp16: s.fp16,
            secondsPerMegapixel: s.secondsPerMegapixel,
            measuredAt: measured.measuredAt,
          }
        : undefined;
    const note = missing ?? failed?.reason;
    return note
      ? { name, state: 'unavailable', available: false, note, speed }
      : { name, state: 'available', available: true, speed };
  });
  const inUse = last
    ? statuses.find((p) => p.name === last.device && p.available)
    : statuses.find((p) => p.available);
  if (inUse) inUse.state = 'in-use';
  return statuses;
}
