import type { DeviceRequest, ProviderStatus } from '../../shared/device';

/**
 * The providers as Settings lists them for the device chosen there. The engine marks `auto`'s
 * choice in use; a device chosen by hand runs instead when it is available, and CPU runs when it is
 * not (the engine falls back to it, as the device line above the list says).
 */
export function providersForDevice(
  providers: readonly ProviderStatus[],
  device: DeviceRequest | undefined,
): ProviderStatus[] {
  if (device === undefined || device === 'auto') return [...providers];
  const forced = providers.find((p) => p.name === device && p.available);
  const runs = forced ? device : 'cpu';
  return providers.map((p): ProviderStatus => {
    if (p.name === runs && p.available) return { ...p, state: 'in-use' };
    if (p.state === 'in-use') return { ...p, state: 'available' };
    return p;
  });
}
