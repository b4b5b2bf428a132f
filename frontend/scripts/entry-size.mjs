// After `vite build`: the gzipped size of what a first visit must download before anything renders — the
// entry chunk and the CSS that index.html links — so a growing shell shows up in every build's output.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const dist = new URL('../dist/', import.meta.url).pathname
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
if (!assets.length) {
  console.error('entry-size: no entry assets found in dist/index.html')
  process.exit(1)
}
// 1 kB = 1000 bytes, as in vite's own report above.
const kib = (n) => `${(n / 1000).toFixed(2)} kB`
let js = 0
let total = 0
for (const asset of assets) {
  const bytes = readFileSync(join(dist, asset))
  const gz = gzipSync(bytes).length
  total += gz
  if (asset.endsWith('.js')) js += gz
  console.log(`entry  ${asset.padEnd(40)} ${kib(bytes.length).padStart(10)} │ gzip: ${kib(gz)}`)
}
console.log(`entry chunk total (gzip): ${kib(js)} JS, ${kib(total)} with CSS`)
