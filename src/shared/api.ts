import { z } from 'zod';
import { DeviceRequest, ProviderStatus } from './device';
import { EngineMessage } from './engine-message';
import { ErrorCode } from './errors';
import { ModelInfo } from './model-manifest';
import { ItemSettings, OnExists, QueueItem } from './queue';
import { patchOf } from './patch';
import { Preset, PresetListing, PresetName } from './presets';
import { AppSettings } from './settings';
import { FarmBatchView, FarmSettingsPatch, FarmSettingsView, FarmTestResult } from './farm';

/** A preview region in input px (the API's largest side: 1024). */
const PreviewRegion = z.object({
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  w: z.number().int().min(1).max(1024),
  h: z.number().int().min(1).max(1024),
});
const PreviewRect = z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() });

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
  /**
   * Converts a model file (.pth/.pt/.ckpt, .safetensors, .onnx, ncnn .param/.bin) into the user's
   * models. Without `id`, one is made from the file name (a taken one gets a number).
   */
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
    response: z.object({ model: ModelInfo, layout: z.string(), notes: z.array(EngineMessage) }),
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
  /**
   * Which single models can be paired with which: groups of two or more models of the same
   * architecture and tensor shapes (ONNX: the same graph), each model in one group at most.
   */
  pairOptions: {
    request: z.object({}).strict(),
    response: z.object({ groups: z.array(z.array(z.string()).min(2)) }),
  },
  /** The queue: every item with its state, and whether it is paused. */
  queueList: {
    request: z.object({}).strict(),
    response: z.object({
      items: z.array(QueueItem),
      paused: z.boolean(),
      /**
       * Problems found while the engine opened (a damaged journal or settings file set aside, a
       * model ignored): they were sent as warnings before any window could listen, so a window
       * shows them from its first list.
       */
      warnings: z.array(EngineMessage).optional(),
    }),
  },
  /**
   * Adds files and folders (paths on the engine's machine; folders recursive) with one set of
   * settings. Inputs that cannot be added come back as problems, each with its message.
   */
  queueAdd: {
    request: z
      .object({
        paths: z.array(z.string().min(1)).min(1),
        /** Absent keys come from the saved settings (device, tile, metadata, transparency, α). */
        settings: patchOf(ItemSettings).extend({ model: z.string().min(1) }),
        /**
         * Defaults from the saved settings when absent; when that is empty too, `upscaled` inside
         * the first input's folder (beside a file, inside a folder).
         */
        outDir: z.string().min(1).optional(),
        nameTemplate: z.string().min(1).optional(),
        onExists: OnExists.optional(),
        recursive: z.boolean().default(true),
      })
      .strict(),
    response: z.object({
      added: z.array(QueueItem),
      problems: z.array(
        z.object({
          path: z.string(),
          error: z.string(),
          code: ErrorCode.optional(),
          /** `error` as a catalogue key and its values, for the UI to say in its language. */
          detail: EngineMessage.optional(),
        }),
      ),
    }),
  },
  /**
   * Changes the settings of waiting items ("apply to all / to selected"); other items are left
   * alone and not counted. Absent keys keep their value, `null` resets one to its default.
   */
  queueUpdate: {
    request: z
      .object({
        ids: z.array(z.string()).min(1),
        settings: patchOf(ItemSettings),
      })
      .strict(),
    response: z.object({ updated: z.number().int() }),
  },
  /**
   * start | pause | cancelAll | retryAll (failed and cancelled) | clearFinished act on the queue;
   * cancel | retry | remove | move on one item. Pause and cancel stop the running tile at once.
   * `clearFinished` answers the items it removed (`removed`), for an undo with `queueRestore`.
   */
  queueControl: {
    request: z.discriminatedUnion('action', [
      z
        .object({ action: z.enum(['start', 'pause', 'cancelAll', 'retryAll', 'clearFinished']) })
        .strict(),
      z.object({ action: z.enum(['cancel', 'retry', 'remove']), id: z.string() }).strict(),
      z
        .object({ action: z.literal('move'), id: z.string(), index: z.number().int().min(0) })
        .strict(),
    ]),
    response: z.object({ ok: z.literal(true), removed: z.array(QueueItem).optional() }),
  },
  /** Puts back items that `clearFinished` removed (by id; unknown ids are ignored): an undo. */
  queueRestore: {
    request: z.object({ ids: z.array(z.string()).min(1) }).strict(),
    response: z.object({ restored: z.array(QueueItem) }),
  },
  /**
   * Exports a pair's photo again at another α: a new row (`reexportOf` names the first, its plan
   * the new file: by default the α in the name, beside the first export, never over it) that starts
   * at once when the queue is idle, or right after the current item. `estimatedSeconds` on it comes
   * from the photo's first render.
   */
  queueReexport: {
    request: z
      .object({
        id: z.string(),
        alpha: z.number().min(0).max(1),
        nameTemplate: z.string().min(1).optional(),
      })
      .strict(),
    response: z.object({ item: QueueItem }),
  },
  /**
   * Renders a region of a queue item's input (input px) through its model. `alpha` renders the
   * exact network interpolation at that α; `ends: true` returns the α = 0 and α = 1 renders
   * instead, for the instant pixel blend while the dial moves. Images come back as tokens the
   * transport serves (`imageUrl(token)`), PNG, `scale`× the region.
   */
  preview: {
    request: z
      .object({
        id: z.string(),
        region: PreviewRegion,
        alpha: z.number().min(0).max(1).optional(),
        ends: z.boolean().optional(),
      })
      .strict(),
    response: z.object({
      region: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }),
      scale: z.number(),
      exact: z.string().optional(),
      fidelity: z.string().optional(),
      perceptual: z.string().optional(),
      alpha: z.number().optional(),
      seconds: z.number(),
    }),
  },
  /**
   * Starts rendering both ends (α 0 and 1) of a region of a pair's item in small pieces, centre
   * first, each piece of both ends before the next. Answers with the plan once the image and model
   * are ready; the pieces follow as `previewPiece` events (PNG tokens, `scale`× their core) and the
   * job ends with a `previewEnds` event. A new request for the same item supersedes the running one
   * (it stops before its next piece); `exact` renders (`preview` with `alpha`) asked for meanwhile
   * wait for one piece at most.
   */
  previewEnds: {
    request: z
      .object({
        id: z.string(),
        region: PreviewRegion,
        /** Core side of a piece, input px (default 96). */
        piece: z.number().int().min(16).max(512).optional(),
      })
      .strict(),
    response: z.object({
      /** Names this job in its events. */
      request: z.string(),
      region: PreviewRect,
      scale: z.number(),
      /** Cores of the pieces in render order (input px). */
      pieces: z.array(PreviewRect),
    }),
  },
  /** Stops the ends job of an item (of every item when `id` is absent) before its next piece. */
  previewCancel: {
    request: z.object({ id: z.string().optional() }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  /**
   * A token for a queue item's input or finished output image (served by the transport; only
   * files the queue knows are ever served). `maxSide` asks for a downsampled copy (thumbnails,
   * the fitted view); absent, the full image.
   */
  itemImage: {
    request: z
      .object({
        id: z.string(),
        which: z.enum(['input', 'output']),
        maxSide: z.number().int().min(16).max(16384).optional(),
      })
      .strict(),
    response: z.object({ token: z.string(), width: z.number(), height: z.number() }),
  },
  settingsGet: {
    request: z.object({}).strict(),
    response: AppSettings,
  },
  /** Changes the given settings (absent keys keep their value, `null` resets one to its default). */
  settingsSet: {
    request: patchOf(AppSettings).strict(),
    response: AppSettings,
  },
  engineInfo: {
    request: z.object({}).strict(),
    response: z.object({
      version: z.string(),
      platform: z.string(),
      /** Providers for this platform: state (in use / available / unavailable and why), speed. */
      providers: z.array(ProviderStatus),
      defaultDevice: DeviceRequest,
    }),
  },
  /** Forgets `auto`'s measured device choices and measures again on a model (default: the default model). */
  measureDevices: {
    request: z.object({ model: z.string().optional() }).strict(),
    response: z.object({ providers: z.array(ProviderStatus) }),
  },
  /** The presets in `<user data>/presets.json` (shared with `upres presets`), and any problems. */
  presetList: {
    request: z.object({}).strict(),
    response: PresetListing,
  },
  /**
   * Saves a queue item's output settings and naming as a preset. An existing name is refused
   * (`output.exists`) unless `replace`.
   */
  presetSave: {
    request: z
      .object({ name: PresetName, id: z.string(), replace: z.boolean().optional() })
      .strict(),
    response: Preset,
  },
  presetRemove: {
    request: z.object({ name: z.string().min(1) }).strict(),
    response: z.object({ removed: z.string() }),
  },
  /**
   * Applies a preset to the waiting items among `ids` (others are left alone and not counted):
   * their output settings and naming become the preset's. An unknown or invalid preset, or one
   * naming a model that is not installed, is refused with a message naming it and its file.
   */
  presetApply: {
    request: z.object({ name: z.string().min(1), ids: z.array(z.string()).min(1) }).strict(),
    response: z.object({ updated: z.number().int() }),
  },
  /** The farm settings (Settings → Farm): the Redis address, password hidden. */
  farmGet: {
    request: z.object({}).strict(),
    response: FarmSettingsView,
  },
  /** Changes the farm settings; a URL that does not parse is refused with its reason. */
  farmSet: {
    request: FarmSettingsPatch,
    response: FarmSettingsView,
  },
  /**
   * Connects to a farm's Redis and answers in one sentence whether it works and how many workers
   * take photos. Absent fields come from the saved settings; nothing is saved.
   */
  farmTest: {
    request: z
      .object({ url: z.string().min(1).optional(), password: z.string().min(1).optional() })
      .strict(),
    response: FarmTestResult,
  },
  /**
   * Sends waiting photos to the farm instead of the local engine, as one batch with their own
   * settings and output plans: those among `ids`, or every waiting photo when absent. Sent photos
   * leave the local queue and are followed as `farm` events.
   */
  farmSend: {
    request: z.object({ ids: z.array(z.string()).min(1).optional() }).strict(),
    response: z.object({ batch: z.string(), sent: z.number().int() }),
  },
  /** The batches this app sent to the farm, photo by photo. */
  farmStatus: {
    request: z.object({}).strict(),
    response: z.object({ batches: z.array(FarmBatchView) }),
  },
  /** Cancels a batch sent to the farm (waiting photos removed, running ones stopped). */
  farmCancel: {
    request: z.object({ batch: z.string().min(1) }).strict(),
    response: z.object({ removed: z.number().int(), stopping: z.number().int() }),
  },
  /** Forgets a finished batch (its rows leave the panel; outputs stay). */
  farmForget: {
    request: z.object({ batch: z.string().min(1) }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
} as const;

/** Pushed from the engine to the renderer (IPC `EVENT_CHANNEL`, or the WebSocket). */
export const EngineEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('item'), item: QueueItem }),
  z.object({
    kind: z.literal('progress'),
    id: z.string(),
    tile: z.number(),
    tiles: z.number(),
    /** 0–1 for the item; never goes backwards within one render. */
    fraction: z.number(),
    /** Interpolated between tiles from the measured throughput (moves at least every 2 s). */
    estimated: z.boolean().optional(),
    /** This tile was read back from the tile store (finished before a pause, cancel or crash). */
    restored: z.boolean().optional(),
    itemEta: z.number().optional(),
    queueEta: z.number().optional(),
  }),
  /**
   * The queue's state: sent when a subscription (re)connects, after every control action and when
   * the queue stops. (Added and changed items come as `item` events, removed and moved ones as
   * `removed` / `moved`, so a listener needs no refetch to keep its list.)
   */
  z.object({ kind: z.literal('queue'), paused: z.boolean(), running: z.boolean() }),
  /** Items left the queue (removed, or finished ones cleared). */
  z.object({ kind: z.literal('removed'), ids: z.array(z.string()) }),
  /** An item moved to `index` in the queue's order (positions after the move). */
  z.object({ kind: z.literal('moved'), id: z.string(), index: z.number().int().min(0) }),
  /** `message` is the English text (the CLI's, old clients'); `detail` its key, for the UI. */
  z.object({
    kind: z.literal('warning'),
    message: z.string(),
    detail: EngineMessage.optional(),
  }),
  /** The batches this app sent to the farm, after any of them changed (see `farmStatus`). */
  z.object({ kind: z.literal('farm'), batches: z.array(FarmBatchView) }),
  /** One piece of one end of a `previewEnds` job, with how many of each end are ready. */
  z.object({
    kind: z.literal('previewPiece'),
    request: z.string(),
    id: z.string(),
    end: z.enum(['fidelity', 'perceptual']),
    /** Index into the job's `pieces`. */
    index: z.number().int().min(0),
    core: PreviewRect,
    token: z.string(),
    ready: z.object({ fidelity: z.number().int(), perceptual: z.number().int() }),
    pieces: z.number().int(),
  }),
  /** A `previewEnds` job ended: all pieces sent, stopped (superseded, cancelled) or failed. */
  z.object({
    kind: z.literal('previewEnds'),
    request: z.string(),
    id: z.string(),
    state: z.enum(['done', 'cancelled', 'failed']),
    message: z.string().optional(),
  }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;

export type ApiContract = typeof api;
export type ApiMethod = keyof ApiContract;
export type ApiRequest<M extends ApiMethod> = z.input<ApiContract[M]['request']>;
export type ApiResponse<M extends ApiMethod> = z.output<ApiContract[M]['response']>;

/** The request/response methods of the contract. */
export type ApiCalls = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

/**
 * The typed surface the renderer sees (`window.upres` in Electron, the WebSocket client in a
 * browser): the calls, engine events, and URLs for image tokens.
 */
export type UpresApi = ApiCalls & {
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (e: EngineEvent) => void): () => void;
  /** URL the renderer can put in an <img> for a token from `preview` / `itemImage`. */
  imageUrl(token: string): string;
  /** Native pickers where the transport has them (Electron); undefined in a browser. */
  choosePaths?: (kind: 'files' | 'folder' | 'models') => Promise<string[]>;
  /**
   * Sends model files from the page to the engine and imports them (`upres serve` in a browser,
   * which cannot hand over paths): one model, i.e. one file or an ncnn `.param` with its `.bin`.
   * `onProgress` hears the fraction of bytes sent.
   */
  uploadModel?: (
    files: readonly File[],
    onProgress?: (fraction: number) => void,
  ) => Promise<ApiResponse<'importModel'>>;
  /** The path of a dropped file (Electron only; a browser never reveals it). */
  pathForFile?: (file: File) => string;
  /**
   * Opens the file manager on a finished photo's output, selected (Electron only). The main
   * process looks the output up by the item's id; a path is never sent.
   */
  showInFolder?: (id: string) => Promise<void>;
  /**
   * Photos and folders the OS asked the app to open (command line, *Open with*, a second launch;
   * Electron only): the listener gets each path once, those asked before it subscribed included.
   * Returns the unsubscribe function.
   */
  onOpenPaths?: (listener: (paths: string[]) => void) => () => void;
};

export const API_METHODS = Object.keys(api) as ApiMethod[];

/** IPC channel of the engine's pushed events (main → renderer). */
export const EVENT_CHANNEL = 'upres:event';

/** IPC channel of the native file / folder pickers (Electron only; not an engine method). */
export const CHOOSE_PATHS_CHANNEL = 'upres:choosePaths';

/** IPC channel of *Show in folder* (Electron only): `{ id }` of a finished photo. */
export const SHOW_IN_FOLDER_CHANNEL = 'upres:showInFolder';

/** IPC channel the page takes the paths the OS asked to open on (Electron only). */
export const OPENED_PATHS_CHANNEL = 'upres:openedPaths';

/** IPC notice (main → page, no payload): paths are waiting on OPENED_PATHS_CHANNEL. */
export const PATHS_OPENED_CHANNEL = 'upres:pathsOpened';

/**
 * Loopback server: `POST` one model's files here (their bytes one after another, as
 * application/octet-stream; `name` and `size` in the query once per file, in order) to import
 * them; answers as `importModel`.
 */
export const MODEL_UPLOAD_PATH = '/api/upload/model';

/** URL scheme the Electron app serves image tokens under: `upres-image://<token>`. */
export const IMAGE_SCHEME = 'upres-image';

/** IPC channel of a method. */
export function channelOf(method: ApiMethod): string {
  return `upres:${method}`;
}
