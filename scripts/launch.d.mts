// Types of scripts/launch.mjs (plain JavaScript, so that it runs on the old Node.js it replaces), for the tests.
export declare const NODE_VERSION: string;
export declare function engines(): string;
export declare function satisfies(version: string, range: string): boolean;
export declare function nodeDir(env?: NodeJS.ProcessEnv): string;
export declare function ensureNode(dir: string, options?: { install?: (prefix: string) => void; log?: (line: string) => void }): string;
export declare function launch(command: string, args: string[]): void;
export declare function launchTypeScript(file: string, args?: string[]): void;
