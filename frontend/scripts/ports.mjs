// The shop's local ports, from infra/ports.txt: the one table that ./dev and the services read too. Used for
// the defaults of `npm run dev`'s API proxy (vite.config.ts) and of the end-to-end test's addresses (e2e/).
import { readFileSync } from 'node:fs'

const TABLE = new URL('../../infra/ports.txt', import.meta.url)

/** The port of `name` (a row of infra/ports.txt: `name port kind`) on 127.0.0.1. */
export function localPort(name) {
  for (const line of readFileSync(TABLE, 'utf8').split('\n')) {
    const [rowName, port] = line.trim().split(/\s+/)
    if (rowName !== name) continue
    if (!/^\d+$/.test(port ?? '')) throw new Error(`infra/ports.txt: the port of ${name} is not a number`)
    return Number(port)
  }
  throw new Error(`infra/ports.txt has no row for ${name}`)
}

/** `http://127.0.0.1:<port>` of `name` in infra/ports.txt. */
export function localUrl(name) {
  return `http://127.0.0.1:${localPort(name)}`
}
