// `npm run lighthouse`: Lighthouse against a running shop, as a check to run by hand (not in CI). It scores home,
// the listing, a category and a product page with the mobile and the desktop preset, prints the four category
// scores of each, and fails when accessibility, best practices or SEO is under 100 or performance under 95,
// naming the audits that cost points.
//
// Lighthouse is not a dependency of the storefront (CI stays lean): `npx --yes` fetches the pinned version into
// npm's own cache (~/.npm/_npx) on first use. It drives the system Chromium (CHROME_PATH, else CHROMIUM_PATH like
// the end-to-end test, else /usr/bin/chromium), headless. The shop's address: the first argument, else
// LIGHTHOUSE_BASE_URL, else the local proxy from infra/ports.txt (http://127.0.0.1:8080). As in the end-to-end
// test, the pages do not reach other hosts (the imported products' photo CDN, found in the catalog's answers):
// the scores are the shop's own, with or without the internet, and a blocked photo shows its placeholder.
// LIGHTHOUSE_PAGES (home,listing,category,product) and LIGHTHOUSE_PRESETS (mobile,desktop) narrow a run while
// fixing a finding.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { localUrl } from './ports.mjs'

/** Lighthouse 12 runs on the storefront's Node (>= 20.19); 13 needs Node 22. */
const LIGHTHOUSE = 'lighthouse@12.8.2'
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo']
const MINIMUM = { performance: 95, accessibility: 100, 'best-practices': 100, seo: 100 }
const chosen = (name, all) => (process.env[name] ? process.env[name].split(',').filter((x) => all.includes(x)) : all)
const PRESETS = chosen('LIGHTHOUSE_PRESETS', ['mobile', 'desktop'])

const base = (process.argv[2] ?? process.env.LIGHTHOUSE_BASE_URL ?? localUrl('proxy')).replace(/\/$/, '')
const chrome = process.env.CHROME_PATH ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

async function api(path) {
  const response = await fetch(base + path, { signal: AbortSignal.timeout(10_000) }).catch((err) => {
    throw new Error(`the shop is not reachable at ${base}${path} (${err.cause?.code ?? err.message}); start it with ./dev up`)
  })
  if (!response.ok) throw new Error(`${base}${path} answered ${response.status}`)
  return response.json()
}

/**
 * The pages to score, found in the running catalog (its first department and its most popular product), and the
 * other hosts their product photos come from.
 */
async function pages() {
  const [{ categories }, { products }] = await Promise.all([
    api('/api/categories'),
    api('/api/products?sort=popularity&in_stock=true&limit=100'),
  ])
  const department = categories.find((c) => c.product_count > 0)
  if (!department || !products.length) throw new Error('the catalog has no products to score pages with')
  const { products: inDepartment } = await api(`/api/products?category=${encodeURIComponent(department.slug)}`)
  const elsewhere = new Set()
  for (const { image } of [...products, ...inDepartment]) {
    if (image && /^https?:/.test(image) && new URL(image).origin !== new URL(base).origin) elsewhere.add(new URL(image).origin)
  }
  const all = [
    ['home', '/'],
    ['listing', '/products'],
    ['category', `/category/${department.slug}`],
    ['product', `/p/${products[0].slug}`],
  ]
  const names = chosen('LIGHTHOUSE_PAGES', all.map(([name]) => name))
  return { pages: all.filter(([name]) => names.includes(name)), blocked: [...elsewhere].map((origin) => `${origin}/*`) }
}

function lighthouse(url, preset, output, blocked) {
  const args = [
    '--yes',
    LIGHTHOUSE,
    url,
    '--quiet',
    '--output=json',
    `--output-path=${output}`,
    `--only-categories=${CATEGORIES.join(',')}`,
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run',
    ...(preset === 'desktop' ? ['--preset=desktop'] : []),
    ...blocked.map((pattern) => `--blocked-url-patterns=${pattern}`),
  ]
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CHROME_PATH: chrome } })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lighthouse exited with ${code} on ${url}`))))
  })
}

/** The audits that cost a category its points, worst first, each with its first findings. */
function losses(report, category) {
  return report.categories[category].auditRefs
    .filter((ref) => ref.weight > 0)
    .map((ref) => report.audits[ref.id])
    .filter((audit) => audit.score !== null && audit.score < 1)
    .sort((a, b) => a.score - b.score)
    .flatMap((audit) => [
      `${audit.id} (${Math.round(audit.score * 100)}): ${audit.title}${audit.displayValue ? ` — ${audit.displayValue}` : ''}`,
      ...(audit.details?.items ?? []).slice(0, 3).map((item) => `    ${finding(item)}`),
    ])
}

/** One finding of an audit in a line: the element, the message or the URL it is about. */
function finding(item) {
  const text = item.node?.snippet ?? item.description ?? item.url ?? JSON.stringify(item)
  return String(text).replace(/\s+/g, ' ').slice(0, 160)
}

const work = mkdtempSync(join(tmpdir(), 'shop-lighthouse-'))
const failures = []
const rows = []
const { pages: scored, blocked } = await pages()
try {
  for (const [name, path] of scored) {
    for (const preset of PRESETS) {
      const output = join(work, `${name}-${preset}.json`)
      await lighthouse(base + path, preset, output, blocked)
      const report = JSON.parse(readFileSync(output, 'utf8'))
      const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((report.categories[c].score ?? 0) * 100)]))
      rows.push({ page: `${name} (${path})`, preset, ...scores })
      for (const category of CATEGORIES) {
        if (scores[category] < MINIMUM[category]) {
          failures.push(`${name} ${preset} ${category} ${scores[category]} < ${MINIMUM[category]}`)
          for (const line of losses(report, category)) failures.push(`    ${line}`)
        }
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

console.log(`\nLighthouse (${LIGHTHOUSE}) against ${base}${blocked.length ? `, blocking ${blocked.join(' ')}` : ''}`)
console.table(rows)
if (failures.length) {
  console.error(`Below target (performance ${MINIMUM.performance}, the others ${MINIMUM.seo}):\n${failures.join('\n')}`)
  process.exit(1)
}
console.log('Every page meets the targets.')
