// Types of cli-build.mjs for the TypeScript that imports it (tests).
export declare const ROOT: string;
export declare function cliBuildFresh(stampFile?: string, root?: string): boolean;
export declare function buildCli(): Promise<string>;
export declare function freshCli(): Promise<string | undefined>;
export declare function cliBuildId(): string | undefined;
