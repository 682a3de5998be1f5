/** Messages between isolated-session.ts and its child process (probe-process.ts). */
export type ProbeRequest =
  | { type: 'load'; id: number; model: Uint8Array }
  | { type: 'run'; id: number; data: Float32Array; dims: number[] };

export type ProbeResponse =
  { id: number; ok: true; dims?: number[] } | { id: number; ok: false; error: string };
