// Shared plumbing for the end-to-end tests: where the stack is, a headless Chromium from the system (no browser
// download), screenshots, and direct API calls for facts the page does not show (stock before and after).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { readFile, readdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { localUrl } from '../scripts/ports.mjs'

export const BASE_URL = (process.env.E2E_BASE_URL ?? localUrl('proxy')).replace(/\/$/, '')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = new URL('../e2e-artifacts/', import.meta.url).pathname
/** Where the mailer writes its `.eml` files (`./dev up`'s file transport). */
export const MAIL_DIR = process.env.E2E_MAIL_DIR ?? new URL('../../.dev/mail/', import.meta.url).pathname

/** Fails the whole run with a clear message when the stack is not up: a skipped e2e must never look green. */
export async function assertStackReachable() {
  const checks = ['/', '/api/categories', '/api/checkout/openapi.json']
  for (const path of checks) {
    let response
    try {
      response = await fetch(BASE_URL + path, { signal: AbortSignal.timeout(5000) })
    } catch (err) {
      throw new Error(
        `E2E: the shop is not reachable at ${BASE_URL}${path} (${err.cause?.code ?? err.message}). ` +
          'Start it with `./dev up` (or point E2E_BASE_URL at a running stack).',
      )
    }
    if (!response.ok) {
      throw new Error(`E2E: ${BASE_URL}${path} answered ${response.status}; the stack is not healthy.`)
    }
  }
  const html = await (await fetch(BASE_URL + '/')).text()
  if (!html.includes('id="app"')) {
    throw new Error(`E2E: ${BASE_URL}/ is not the storefront (build it with \`npm run build\` and serve frontend/dist).`)
  }
}

/**
 * Chromium, with this test file's screenshots removed first: those of e2e-artifacts/`subdir`/ when given, else
 * the files directly in e2e-artifacts/ (another file's subfolder is left alone, whichever file runs first).
 */
export async function launchBrowser(subdir = '') {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`E2E: no Chromium at ${CHROMIUM}; install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH.`)
  }
  // Only this run's screenshots, so a page that was not reached cannot pass off an older picture as its own.
  const folder = join(ARTIFACTS, subdir)
  mkdirSync(folder, { recursive: true })
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (subdir || entry.isFile()) rmSync(join(folder, entry.name), { recursive: true, force: true })
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/**
 * A fresh browser profile (own localStorage, so its own cart). Requests leaving the shop (product photos on a
 * CDN) are refused: the tests must not depend on the internet, and the page then shows its placeholders.
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 900 }, ...options })
  const origin = new URL(BASE_URL).origin
  await context.route('**/*', (route) =>
    new URL(route.request().url()).origin === origin ? route.continue() : route.abort('blockedbyclient'),
  )
  context.setDefaultTimeout(15_000)
  // Every page records its layout shifts from the start (see layoutShift).
  await context.addInitScript(() => {
    window.__layoutShift = 0
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__layoutShift += entry.value
    }).observe({ type: 'layout-shift', buffered: true })
  })
  return context
}

/** The page's cumulative layout shift since it loaded (shifts right after the shopper's input excluded). */
export async function layoutShift(page) {
  await page.waitForTimeout(300) // the last rendering settles
  return page.evaluate(() => window.__layoutShift)
}

/** Collects what the page logs as errors (uncaught exceptions, CSP violations) to assert none happened. */
export function watchErrors(page) {
  const errors = []
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource|ERR_BLOCKED_BY_CLIENT/.test(msg.text())) {
      errors.push(`console: ${msg.text()}`)
    }
  })
  return errors
}

export async function screenshot(page, name) {
  // From the top: scrolled down (to a focused field), the sticky header would be drawn mid-page.
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/**
 * The page's serious and critical accessibility violations by axe-core, as lines to read (`[]` when none).
 * Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not apply to.
 */
export async function accessibilityViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] })
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((node) => node.target.join(' ')),
      count: v.nodes.length,
    }))
  })
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}, ${v.count}x): ${v.help} — ${v.targets.join(', ')}`)
}

export async function api(path, init = {}) {
  const response = await fetch(BASE_URL + path, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  })
  const body = await response.json().catch(() => null)
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} -> ${response.status} ${JSON.stringify(body)}`)
  return body
}

/** "$1,234.50" -> 123450 (cents), to compare displayed prices in order. */
export function cents(text) {
  return Number.parseInt(text.replace(/[^\d]/g, ''), 10)
}

/** Repeats `check` until it passes or `ms` run out (stock is released right after the answer, asynchronously). */
export async function eventually(check, ms = 5000) {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      return await check()
    } catch (err) {
      if (Date.now() > deadline) throw err
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

/**
 * Every `.eml` file in MAIL_DIR whose headers `matches` (called with a `header(name)` reader), oldest first, as
 * `{file, text}` with quoted-printable soft line breaks undone.
 */
export async function emailsWhere(matches) {
  const found = []
  const names = (await readdir(MAIL_DIR).catch(() => [])).filter((n) => n.endsWith('.eml') && !n.startsWith('.'))
  for (const name of names) {
    const raw = await readFile(join(MAIL_DIR, name), 'utf8')
    const head = raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ')
    const header = (field) => new RegExp(`^${field}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim()
    if (matches(header)) found.push({ file: name, text: raw.replace(/=\r?\n/g, ''), date: Date.parse(header('Date') ?? '') })
  }
  return found.sort((a, b) => a.date - b.date)
}
