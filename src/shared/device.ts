import { z } from 'zod';

/** What the user asks for; `auto` lets the engine pick the best available provider. */
export const DeviceRequest = z.enum(['auto', 'cpu', 'cuda', 'dml', 'coreml']);
export type DeviceRequest = z.infer<typeof DeviceRequest>;

export type ExecutionDevice = Exclude<DeviceRequest, 'auto'>;

export const Precision = z.enum(['auto', 'fp32', 'fp16']);
export type Precision = z.infer<typeof Precision>;

/** The provider a session actually runs on, and why it differs from the request if it does. */
export interface DeviceChoice {
  requested: DeviceRequest;
  device: ExecutionDevice;
  fp16: boolean;
  fallbackReason?: string;
}
