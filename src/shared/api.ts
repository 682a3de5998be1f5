import { z } from 'zod';
import { DeviceRequest } from './device';
import { ModelInfo } from './model-manifest';

/**
 * The one contract between the renderer and the engine. Electron IPC and the loopback server are
 * two transports of it: every method has a request schema (validated at the boundary) and a
 * response schema. Channel names are derived from the method names; nowhere else names them.
 */
export const api = {
  listModels: {
    request: z.object({}).strict(),
    response: z.array(ModelInfo),
  },
  /** Converts a model file (.pth/.pt/.ckpt, .safetensors, ncnn .param/.bin) into the user's models. */
  importModel: {
    request: z
      .object({
        path: z.string().min(1),
        id: z.string().optional(),
        name: z.string().optional(),
        role: z.enum(['fidelity', 'perceptual', 'general']).optional(),
        resScale: z.number().positive().optional(),
        rgbRange: z.number().positive().optional(),
      })
      .strict(),
    response: z.object({ model: ModelInfo, layout: z.string(), notes: z.array(z.string()) }),
  },
  /** Removes a model or pair the user imported or created. */
  removeModel: {
    request: z.object({ id: z.string().min(1) }).strict(),
    response: z.object({ removed: z.string() }),
  },
  /** Pairs two models of one architecture for the fidelity ↔ perceptual dial. */
  pairModels: {
    request: z
      .object({
        id: z.string().min(1),
        fidelity: z.string().min(1),
        perceptual: z.string().min(1),
        name: z.string().optional(),
        defaultAlpha: z.number().min(0).max(1).optional(),
      })
      .strict(),
    response: ModelInfo,
  },
  engineInfo: {
    request: z.object({}).strict(),
    response: z.object({
      version: z.string(),
      platform: z.string(),
      /** Providers this onnxruntime build offers, and whether each is usable now. */
      providers: z.array(
        z.object({ name: z.string(), available: z.boolean(), note: z.string().optional() }),
      ),
      defaultDevice: DeviceRequest,
    }),
  },
} as const;

export type ApiContract = typeof api;
export type ApiMethod = keyof ApiContract;
export type ApiRequest<M extends ApiMethod> = z.input<ApiContract[M]['request']>;
export type ApiResponse<M extends ApiMethod> = z.output<ApiContract[M]['response']>;

/** The typed surface the renderer sees (`window.upres` in Electron). */
export type UpresApi = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

export const API_METHODS = Object.keys(api) as ApiMethod[];

/** IPC channel of a method. */
export function channelOf(method: ApiMethod): string {
  return `upres:${method}`;
}
