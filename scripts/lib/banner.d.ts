import type { StackInfo } from './stack';

export function banner(info: StackInfo, options: { rel: (p: string) => string; repoRoot: string }): string;
export function sqlCommandLine(options: { repoRoot: string; dataDir: string; rel: (p: string) => string; embedded: boolean }): string;
export function withoutPassword(databaseUrl: string): string;
export function shellQuote(s: string): string;
export const DEMO_SQL: string;
