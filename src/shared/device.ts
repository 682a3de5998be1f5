import { z } from 'zod';
import { EngineMessage } from './engine-message';

/** What the user asks for; `auto` lets the engine pick the best available provider. */
export const DeviceRequest = z.enum(['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu']);
export type DeviceRequest = z.infer<typeof DeviceRequest>;

export const ExecutionDevice = DeviceRequest.exclude(['auto']);
export type ExecutionDevice = z.infer<typeof ExecutionDevice>;

export const Precision = z.enum(['auto', 'fp32', 'fp16']);
export type Precision = z.infer<typeof Precision>;

/** Who reads the engine's messages: developers at a terminal, or photographers in the app. */
export type Audience = 'app' | 'cli';

/** The provider a session actually runs on, and why it differs from the request if it does. */
export interface DeviceChoice {
  requested: DeviceRequest;
  device: ExecutionDevice;
  fp16: boolean;
  /** Why a provider earlier in the order (or the one asked for) is not the one running. */
  fallbackReason?: string;
  /** The same reasons as sentences with their catalogue keys (for the UI's language). */
  fallbackReasons?: EngineMessage[];
  /** Why the precision is not the one asked for (e.g. a GPU without fp16 runs fp32). */
  precisionNote?: string;
  /** The same as a sentence with its catalogue key. */
  precisionMessage?: EngineMessage;
  /** For `auto`: how the provider was picked (measured now, a kept measurement, the order). */
  decidedBy?: string;
  /** The same as data: how, with the speeds measured (`webgpu fp32 3.1 s/MP, cpu 9.8 s/MP`). */
  decided?: { how: 'kept' | 'measured' | 'order'; speeds?: string };
  /** `saved`: the session loaded the optimised graph an earlier start saved (no build, no optimising). */
  graph?: 'saved' | 'built';
}

/** A device's measured speed on one model family (a representative tile, session creation excluded). */
export const DeviceSpeed = z.object({
  device: ExecutionDevice,
  fp16: z.boolean(),
  /** Seconds per output megapixel. */
  secondsPerMegapixel: z.number(),
});
export type DeviceSpeed = z.infer<typeof DeviceSpeed>;

/** One execution provider as the Settings screen lists it. */
export const ProviderStatus = z.object({
  name: ExecutionDevice,
  /** `in-use`: what `auto` runs on now; `available`: usable; `unavailable`: see `note`. */
  state: z.enum(['in-use', 'available', 'unavailable']),
  available: z.boolean(),
  /** Why it is unavailable, or a caveat (e.g. fp32 only), in the audience's words. */
  note: EngineMessage.optional(),
  /** The last measurement on this machine, if any (the model family it was measured on). */
  speed: z
    .object({
      family: z.string(),
      fp16: z.boolean(),
      secondsPerMegapixel: z.number(),
      measuredAt: z.string(),
    })
    .optional(),
});
export type ProviderStatus = z.infer<typeof ProviderStatus>;
