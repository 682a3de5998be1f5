// Entry of the WebGPU test child process: `node --import tsx webgpu-child.ts <case> <out-dir>`.
import { cases } from './webgpu-cases';

const [name, out] = process.argv.slice(2);
const result = await cases[name](out);
process.stdout.write(`\n@@result ${JSON.stringify(result)}\n`);
