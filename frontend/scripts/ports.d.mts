// Types of ports.mjs, for vite.config.ts.
export function localPort(name: string): number
export function localUrl(name: string): string
