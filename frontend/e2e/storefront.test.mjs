// End-to-end: a shopper's whole path through the storefront in headless Chromium, against a running stack
// (reverse proxy + catalog + checkout) at E2E_BASE_URL. Run with `npm run e2e` after `./dev up`.
// Each scenario saves a screenshot of its page into e2e-artifacts/.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { verifyOrderSideEffects } from './order-side-effects.mjs'
import {
  ARTIFACTS,
  BASE_URL,
  accessibilityViolations,
  api,
  assertStackReachable,
  cents,
  eventually,
  launchBrowser,
  layoutShift,
  newContext,
  screenshot,
  watchErrors,
} from './support.mjs'

let browser

before(async () => {
  await assertStackReachable()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

/** In-stock products with enough units for the scenarios, most popular first. */
async function stockedProducts(count, minAvailable = 3) {
  const page = await api('/api/products?in_stock=true&sort=popularity&limit=50')
  const picked = page.products.filter((p) => p.available >= minAvailable).slice(0, count)
  assert.equal(picked.length, count, `need ${count} products with ${minAvailable}+ units in stock`)
  return picked
}

/**
 * A product and a word of its name (5+ letters, so one typo is allowed) that finds it among the dropdown's
 * suggestions when spelt right, preferring a word few products share.
 */
async function distinctiveWord() {
  const { products } = await api('/api/products?sort=popularity&limit=30')
  let fallback
  for (const product of products) {
    const words = [...new Set(product.name.split(/[^A-Za-z]+/).filter((w) => w.length >= 5 && w.length <= 12))]
    for (const word of words.slice(0, 3)) {
      const found = await api(`/api/search?q=${encodeURIComponent(word)}&limit=6`)
      if (!found.hits.some((hit) => hit.sku === product.sku)) continue
      if (found.total <= 6) return { product, word }
      fallback ??= { product, word }
    }
  }
  assert.ok(fallback, 'a product found by a word of its name')
  return fallback
}

/** One substituted letter in the middle (a typo on the first letter costs Meilisearch two). */
function misspell(word) {
  const at = Math.floor(word.length / 2)
  const letter = word[at].toLowerCase() === 'z' ? 'q' : 'z'
  return word.slice(0, at) + letter + word.slice(at + 1)
}

async function addToCart(page, slug) {
  await page.goto(`/p/${slug}`)
  await page.getByRole('button', { name: 'Add to cart' }).click()
  await page.getByTestId('added').waitFor()
}

async function fillCheckout(page, card) {
  await page.fill('#email', 'e2e-shopper@example.com')
  await page.fill('#customer_name', 'Erin Tester')
  await page.fill('#line1', '1 Test Street')
  await page.fill('#city', 'Springfield')
  await page.fill('#postal_code', '12345')
  await page.selectOption('#country', 'US')
  await page.check('input[name="shipping_method"][value="standard"]')
  await page.selectOption('#card_token', card)
}

const count = (page) => page.getByTestId('cart-count').textContent()

describe('storefront', { concurrency: false }, () => {
  let orderLink
  let placedOrder

  test('search as you type shows matching products with highlights', async () => {
    // A prefix of a real product's name, so the test works on any seeded catalog.
    const [product] = await stockedProducts(1, 1)
    const word = product.name.split(/[^A-Za-z]+/).find((w) => w.length >= 4) ?? product.brand
    const prefix = word.slice(0, 4)
    const context = await newContext(browser)
    const page = await context.newPage()
    const errors = watchErrors(page)
    await page.goto('/')
    await page.getByRole('heading', { name: 'Popular right now' }).waitFor()
    await screenshot(page, '01-home')
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 01-home')
    assert.ok((await layoutShift(page)) < 0.1, 'a stable page: layout shift under 0.1 on 01-home')

    const box = page.getByRole('combobox', { name: 'Search products' })
    const requests = []
    page.on('request', (r) => r.url().includes('/api/search') && requests.push(new URL(r.url()).searchParams.get('q')))
    // After every keystroke the suggestions follow what is typed so far: a hit <mark>ed with that text.
    for (let typed = 1; typed <= prefix.length; typed++) {
      const sofar = prefix.slice(0, typed).toLowerCase()
      await box.press(prefix[typed - 1])
      await eventually(async () => {
        const marks = (await page.locator('[role="option"] mark').allTextContents()).map((m) => m.toLowerCase())
        assert.ok(marks.some((m) => m.startsWith(sofar)), `after “${sofar}”: a <mark>${sofar}…</mark> in ${marks}`)
      })
    }
    const options = page.getByRole('option')
    const marks = await page.locator('[role="option"] mark').allTextContents()
    assert.ok(marks.some((m) => m.toLowerCase() === prefix.toLowerCase()), `a <mark>${prefix}</mark> in ${marks}`)
    assert.deepEqual(requests, [...prefix].map((_, i) => prefix.slice(0, i + 1)), 'a request per keystroke')
    assert.equal(await box.getAttribute('aria-expanded'), 'true')
    assert.ok((await options.count()) >= 2)
    await screenshot(page, '02-search-suggestions')

    // Keyboard: Down highlights the first option, Enter opens it.
    await box.press('ArrowDown')
    const active = await box.getAttribute('aria-activedescendant')
    assert.equal(await page.locator(`#${active}`).getAttribute('aria-selected'), 'true')
    await box.press('Enter')
    await page.waitForURL(/\/p\//)
    await page.getByRole('button', { name: 'Add to cart' }).or(page.getByText('Out of stock')).first().waitFor()

    // Enter without a highlighted option opens the full results page.
    await box.fill(prefix)
    await page.getByRole('option').first().waitFor()
    await box.press('Enter')
    await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === prefix)
    await page.getByTestId('results').waitFor()
    assert.match(await page.getByRole('heading', { level: 1 }).textContent(), new RegExp(prefix))
    await screenshot(page, '03-search-results')
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 03-search-results')

    // A word that matches nothing: the dropdown says so and offers no "all 0 results"; its page is no dead end.
    await box.fill('zqxjvw')
    await page.locator('.search__message').getByText('No products match').waitFor()
    assert.equal(await page.locator('#search-opt-all').count(), 0, 'no "see all" for nothing')
    await box.press('Enter')
    await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === 'zqxjvw')
    const nothing = page.getByTestId('no-results')
    await nothing.getByRole('heading', { name: 'No products match “zqxjvw”' }).waitFor()
    await nothing.getByRole('link').first().waitFor()
    await page.getByRole('heading', { name: 'Popular right now' }).waitFor()
    assert.ok((await page.locator('.product-card').count()) > 0, 'popular products offered')
    await screenshot(page, '17-search-nothing')
    // A misspelt word of a real product name: the catalog's own spelling is offered, and it finds products.
    const real = word.toLowerCase()
    const misspelt = real.length >= 5 ? `${real.slice(0, 2)}${real[3]}${real[2]}${real.slice(4)}` : null
    if (misspelt && misspelt !== real) {
      await page.goto(`/search?q=${encodeURIComponent(misspelt)}`)
      const results = page.getByTestId('results').or(page.getByTestId('no-results'))
      await results.waitFor()
      if (await page.getByTestId('no-results').isVisible()) {
        const suggestion = page.getByTestId('did-you-mean').getByRole('link')
        await suggestion.waitFor()
        await suggestion.click()
        await page.getByTestId('results').waitFor()
      }
    }
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 17-search-nothing')
    assert.deepEqual(errors, [])
    await context.close()
  })

  test('with Meilisearch, a misspelt word still finds the product (typo tolerance)', async (t) => {
    const { engine } = await api('/api/search?q=a&limit=1')
    if (engine !== 'meilisearch') {
      // Loud on purpose: this scenario must not look green when it did not run.
      console.log(`# SKIPPED: typo tolerance needs Meilisearch (engine is ${engine})`)
      t.skip(`typo tolerance needs Meilisearch (engine is ${engine})`)
      return
    }
    const { product, word } = await distinctiveWord()
    const typo = misspell(word)
    const context = await newContext(browser)
    const page = await context.newPage()
    const errors = watchErrors(page)
    await page.goto('/')
    const box = page.getByRole('combobox', { name: 'Search products' })
    await box.pressSequentially(typo, { delay: 50 })
    const option = page.locator(`[role="option"][id="search-opt-p-${product.sku}"]`)
    await option.waitFor()
    assert.equal(await box.inputValue(), typo)
    await page.getByRole('option').getByText('typo-tolerant search').waitFor()
    await screenshot(page, '16-search-typo')
    assert.deepEqual(errors, [])
    await context.close()
  })

  test('filter and sort a listing, and a reload restores it', async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto('/products')
    await page.getByTestId('results').waitFor()

    const brandLink = page.getByTestId('brand-option').first()
    const brand = (await brandLink.textContent()).replace(/\(\d+\)\s*$/, '').trim()
    await brandLink.click()
    await page.waitForURL((url) => url.searchParams.get('brand') === brand)
    await page.locator('[data-testid="results"]:not(.is-stale)').waitFor()
    await eventually(async () => {
      const brands = await page.getByTestId('card-brand').allTextContents()
      assert.ok(brands.length > 0 && brands.every((b) => b === brand), `only ${brand}: ${brands}`)
    })

    // Filter links are other views of this page, not "the current page" for screen readers.
    assert.equal(await page.locator('#listing-filters a[aria-current]').count(), 0)

    const sorted = page.waitForResponse((r) => r.url().includes('sort=price_asc'))
    await page.selectOption('[data-testid="sort"]', 'price_asc')
    await sorted
    await page.waitForURL((url) => url.searchParams.get('sort') === 'price_asc')
    await page.locator('[data-testid="results"]:not(.is-stale)').waitFor()
    const prices = (await page.getByTestId('card-price').allTextContents()).map(cents)
    assert.deepEqual(prices, [...prices].sort((a, b) => a - b), 'prices ascending')

    await page.getByTestId('in-stock').check()
    await page.waitForURL((url) => url.searchParams.get('in_stock') === 'true')
    await page.locator('[data-testid="results"]:not(.is-stale)').waitFor()

    await page.reload()
    await page.getByTestId('results').waitFor()
    assert.equal(await page.locator('[data-testid="sort"]').inputValue(), 'price_asc')
    assert.equal(await page.getByTestId('in-stock').isChecked(), true)
    const brands = await page.getByTestId('card-brand').allTextContents()
    assert.ok(brands.every((b) => b === brand))
    await screenshot(page, '04-listing-filtered')
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 04-listing-filtered')
    assert.ok((await layoutShift(page)) < 0.1, 'a stable page: layout shift under 0.1 on 04-listing-filtered')

    // The listing pages through the same filters.
    await page.goto('/products?sort=price_desc')
    await page.getByTestId('results').waitFor()
    await page.getByRole('link', { name: 'Next ›' }).click()
    await page.waitForURL((url) => url.searchParams.get('page') === '2' && url.searchParams.get('sort') === 'price_desc')
    await page.getByRole('link', { name: 'Page 2' }).and(page.locator('[aria-current="page"]')).waitFor()
    await context.close()
  })

  test('add two products, change a quantity, check out with tok_visa and see the confirmation', async () => {
    const [first, second] = await stockedProducts(2)
    const context = await newContext(browser)
    const page = await context.newPage()
    const errors = watchErrors(page)

    await addToCart(page, first.slug)
    assert.equal(await count(page), '1')
    // Beside it, products like it from its category (never itself), each a link to its page.
    const related = page.getByTestId('related')
    await related.getByRole('link').first().waitFor()
    const relatedLinks = await related.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')))
    assert.ok(relatedLinks.length >= 1 && !relatedLinks.includes(`/p/${first.slug}`), relatedLinks.join(' '))
    await screenshot(page, '05-product')
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 05-product')
    assert.ok((await layoutShift(page)) < 0.1, 'a stable page: layout shift under 0.1 on 05-product')
    await addToCart(page, second.slug)
    assert.equal(await count(page), '2')

    // A second tab of the same shopper follows the cart through the storage event.
    const otherTab = await context.newPage()
    await otherTab.goto('/')
    await eventually(async () => assert.equal(await count(otherTab), '2'))

    await page.goto('/cart')
    const lines = page.locator('li[data-sku]')
    await lines.first().waitFor()
    assert.equal(await lines.count(), 2)
    const firstLine = page.locator(`li[data-sku="${first.sku}"]`)
    await firstLine.getByTestId('line-quantity').selectOption('2')
    await eventually(async () => assert.equal(await count(page), '3'))
    assert.equal(cents(await firstLine.getByTestId('line-total').textContent()), 2 * cents(first.price))
    await eventually(async () => assert.equal(await count(otherTab), '3'))
    const subtotal = await page.getByTestId('subtotal').textContent()
    await screenshot(page, '06-cart')
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 06-cart')
    assert.ok((await layoutShift(page)) < 0.1, 'a stable page: layout shift under 0.1 on 06-cart')
    await otherTab.close()

    await page.getByTestId('checkout-link').click()
    await page.waitForURL('**/checkout')
    // A mistake is caught in the browser, named next to its field, and nothing is sent.
    const posts = []
    page.on('request', (r) => r.url().endsWith('/api/orders') && posts.push(r))
    await page.fill('#email', 'not-an-email')
    await page.getByTestId('place-order').click()
    await page.locator('#email[aria-invalid="true"]').waitFor()
    assert.match(await page.locator('#email-error').textContent(), /not a valid email address/i)
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'email', 'focus on the first mistake')
    assert.equal(posts.length, 0, 'no order request for an invalid form')
    await screenshot(page, '07-checkout-invalid')
    // Tax and the total are shown before paying, for the chosen method, and are what the order charges.
    await page.check('input[name="shipping_method"][value="express"]')
    await eventually(async () => assert.ok(await page.getByTestId('total').isVisible()))
    const expressTotal = cents(await page.getByTestId('total').textContent())
    await fillCheckout(page, 'tok_visa')
    await page.locator('#email-error').waitFor({ state: 'detached' })
    await eventually(async () =>
      assert.equal(cents(await page.getByTestId('total').textContent()), expressTotal - (1499 - 499)),
    )
    const shownTotal = cents(await page.getByTestId('total').textContent())
    const shownTax = cents(await page.getByTestId('tax').textContent())
    await screenshot(page, '08-checkout')
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 08-checkout')
    assert.ok((await layoutShift(page)) < 0.1, 'a stable page: layout shift under 0.1 on 08-checkout')
    const placed = page.waitForResponse((r) => r.url().endsWith('/api/orders') && r.request().method() === 'POST')
    await page.getByTestId('place-order').click()
    const response = await placed
    assert.equal(response.status(), 201)
    assert.ok(response.request().headers()['idempotency-key'], 'an Idempotency-Key header')
    placedOrder = await response.json()

    await page.waitForURL(/\/orders\/[^/?]+\?token=/)
    assert.equal(await page.getByTestId('order-number').textContent(), placedOrder.number)
    assert.equal(await page.getByTestId('order-state').textContent(), 'Paid')
    assert.equal(await page.getByTestId('order-subtotal').textContent(), subtotal)
    assert.equal(cents(await page.getByTestId('order-total').textContent()), cents(placedOrder.total))
    assert.deepEqual([cents(placedOrder.total), cents(placedOrder.tax)], [shownTotal, shownTax], 'charged what was shown')
    assert.equal(await count(page), '0', 'a new, empty cart after the order')
    orderLink = await page.getByTestId('order-link').getAttribute('href')
    assert.equal(new URL(orderLink).pathname, new URL(placedOrder.order_url).pathname)
    await screenshot(page, '09-confirmation')
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 09-confirmation')
    assert.deepEqual(errors, [])

    await verifyOrderSideEffects({ order: placedOrder, baseUrl: BASE_URL })
    await context.close()
  })

  test('the confirmation link reopens the order later; a wrong token does not', async () => {
    assert.ok(orderLink, 'the checkout scenario placed an order')
    const context = await newContext(browser)
    const page = await context.newPage()
    const link = new URL(orderLink)
    await page.goto(link.pathname + link.search)
    await page.getByTestId('order').waitFor()
    assert.equal(await page.getByTestId('order-number').textContent(), placedOrder.number)
    assert.equal(cents(await page.getByTestId('order-total').textContent()), cents(placedOrder.total))
    await screenshot(page, '10-confirmation-reopened')

    await page.goto(`${link.pathname}?token=not-the-token`)
    await page.getByRole('heading', { name: 'We couldn’t find that order' }).waitFor()
    await context.close()

    // The proxy logged the order page and its API call, but never the secret token in their query strings.
    const proxyLog = process.env.E2E_PROXY_LOG ?? new URL('../../.dev/nginx/access.log', import.meta.url).pathname
    if (!existsSync(proxyLog)) {
      console.log(`# the proxy's access log (${proxyLog}) is not on this machine: its check is skipped`)
      return
    }
    const logged = readFileSync(proxyLog, 'utf8')
    assert.ok(logged.includes(`/orders/${placedOrder.number}`), 'the order page is in the access log')
    assert.ok(!logged.includes(placedOrder.lookup_token), 'the lookup token never reaches the access log')
  })

  test('a declined card shows the error and leaves stock unchanged', async () => {
    const [product] = await stockedProducts(1, 2)
    const before = (await api(`/api/products/${product.slug}`)).available
    const context = await newContext(browser)
    const page = await context.newPage()
    await addToCart(page, product.slug)
    await page.goto('/checkout')
    await fillCheckout(page, 'tok_declined')
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/orders'))
    await page.getByTestId('place-order').click()
    assert.equal((await answered).status(), 402)

    await page.getByTestId('card-error').waitFor()
    assert.match(await page.getByTestId('card-error').textContent(), /declined/)
    assert.match(await page.getByTestId('form-error').textContent(), /nothing was charged/i)
    assert.equal(new URL(page.url()).pathname, '/checkout')
    assert.equal(await page.locator('#card_token').getAttribute('aria-invalid'), 'true')
    await screenshot(page, '11-declined')
    await eventually(async () => assert.equal((await api(`/api/products/${product.slug}`)).available, before))
    assert.equal(await count(page), '1', 'the cart is still there to try another card')
    await context.close()
  })

  test('an outage shows a friendly message and "Try again" recovers', async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    // The catalog answers 503 like it does when its database is away; the proxy itself stays up.
    const outage = (route) =>
      route.fulfill({
        status: 503,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
        body: JSON.stringify({ title: 'Service unavailable', status: 503, detail: 'database unavailable' }),
      })
    await page.route('**/api/products?*', outage)
    await page.goto('/products')
    const alert = page.getByRole('alert').filter({ hasText: 'try again in a moment' })
    await alert.waitFor()
    await screenshot(page, '15-outage')
    await page.unroute('**/api/products?*', outage)
    await page.getByRole('button', { name: 'Try again' }).click()
    await page.getByTestId('results').waitFor()
    await context.close()
  })

  test('unknown pages and products say so; the layout works on a phone', async () => {
    const context = await newContext(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    const page = await context.newPage()
    await page.goto('/no/such/page')
    await page.getByRole('heading', { name: 'Page not found' }).waitFor()
    await screenshot(page, '12-not-found')
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 12-not-found')
    await page.goto('/p/no-such-product-e2e')
    await page.getByRole('heading', { name: 'We couldn’t find that product' }).waitFor()

    await page.goto('/')
    await page.getByRole('heading', { name: 'Popular right now' }).waitFor()
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (overflow ${overflow}px)`)
    await screenshot(page, '13-phone-home')
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 13-phone-home')
    assert.ok((await layoutShift(page)) < 0.1, 'a stable page: layout shift under 0.1 on 13-phone-home')
    await page.goto('/products')
    await page.getByTestId('results').waitFor()
    await screenshot(page, '14-phone-listing')
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 14-phone-listing')
    assert.ok((await layoutShift(page)) < 0.1, 'a stable page: layout shift under 0.1 on 14-phone-listing')

    // A product page: once its own "Add to cart" has scrolled away, a bar at the bottom offers the same button.
    const [product] = await stockedProducts(1)
    await page.goto(`/p/${product.slug}`)
    await page.locator('form.buy__form').getByRole('button', { name: 'Add to cart' }).waitFor()
    assert.ok((await layoutShift(page)) < 0.1, 'a stable page: layout shift under 0.1 on the phone’s product page')
    const bar = page.getByRole('region', { name: `Buy ${product.name}` })
    assert.equal(await bar.count(), 0, 'no buy bar before the page’s own button has scrolled away')
    // Down to the products like it (a page that ends at the description is too short for the button to leave).
    const related = page.getByTestId('related')
    await related.getByRole('link').first().waitFor()
    await related.scrollIntoViewIfNeeded()
    await page.mouse.wheel(0, 600)
    await bar.waitFor()
    // It slides in, then sits at the bottom of the screen.
    await eventually(async () => {
      const { y, height } = await bar.boundingBox()
      assert.ok(Math.abs(y + height - 844) < 1, `the bar ends at the screen's bottom edge (${y + height}px)`)
    })
    assert.match(await bar.textContent(), /\$[\d,]+\.\d{2}/, 'the bar shows the price')
    assert.match(await bar.textContent(), /In stock|Only \d+ left/, 'the bar shows the availability')
    // The page ends above the bar: scrolled to the end, the footer's last line is not under it.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
    await eventually(async () => {
      const footerEnd = await page.locator('.site-footer p').last().evaluate((p) => p.getBoundingClientRect().bottom)
      assert.ok(footerEnd <= (await bar.boundingBox()).y + 0.5, `the footer (to ${footerEnd}px) clears the bar`)
    })
    await page.screenshot({ path: join(ARTIFACTS, '18-phone-buy-bar.png') })
    assert.deepEqual(await accessibilityViolations(page), [], 'no serious accessibility problem on 18-phone-buy-bar')
    const before = Number(await count(page))
    await bar.getByRole('button', { name: 'Add to cart' }).click()
    await eventually(async () => assert.equal(await count(page), String(before + 1), 'the bar adds to the cart'))
    await context.close()
  })
})
