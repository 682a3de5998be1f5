// The engine's public surface for transports (src/main/app, src/main/server): lint lets them import
// the engine only through this file (tools/eslint/layers.js).
export {
  createEngine,
  engineOf,
  openModelRegistry,
  type CreateEngineOptions,
  type Engine,
} from './create-engine';
export { dispatchApi, dispatchReply, type ApiHandlers } from './service/api-dispatch';
export { IMAGE_TOKEN_TTL_MS, imageHeaders, type ImageSource } from './service/image-tokens';
export { resolveUserDirs, type AppLocation, type UserDirs } from './storage/user-dirs';
export { setProbeLauncher, type ProbeLauncher } from './runtime/isolated-session';
