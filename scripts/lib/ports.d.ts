export function isPortFree(port: number, host?: string): Promise<boolean>;
export function freePort(host?: string): Promise<number>;
export function preferredOrFreePort(preferred: number | undefined, host?: string): Promise<number>;
