// Runs a TypeScript child process from source (CLI through tsx, tests): registers tsx first.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
