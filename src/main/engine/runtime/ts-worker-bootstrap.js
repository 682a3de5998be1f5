// Runs a TypeScript worker from source (CLI through tsx, tests): registers tsx in this thread first.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
