// End-to-end: the web admin at /admin in headless Chromium, against a running stack (`./dev up`: the proxy, the
// catalog, the admin, the search indexer) at E2E_BASE_URL. The owner signs in with the password `./dev up`
// wrote to .dev/admin-owner-password (or E2E_ADMIN_PASSWORD), creates a product with a variant and a photo
// through the product form, finds it in the storefront and in search, changes its price and sees the new price
// in the storefront, and finds both saves in the audit log; the category and stock pages show it too. Then the
// lantern sells out (a count of zero), a shopper leaves an email on its product page, a delivery makes it
// available, exactly one back-in-stock email reaches the mailer's files, and its link unsubscribes.
// Screenshots go to e2e-artifacts/admin/.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { findAlertEmail } from './order-side-effects.mjs'
import {
  accessibilityViolations,
  api,
  assertStackReachable,
  eventually,
  launchBrowser,
  layoutShift,
  newContext,
  screenshot,
  watchErrors,
} from './support.mjs'

const OWNER_EMAIL = process.env.E2E_ADMIN_EMAIL ?? 'owner@shop.local'
const PASSWORD_FILE = new URL('../../.dev/admin-owner-password', import.meta.url)

function ownerPassword() {
  if (process.env.E2E_ADMIN_PASSWORD) return process.env.E2E_ADMIN_PASSWORD
  assert.ok(
    existsSync(PASSWORD_FILE),
    `E2E: no ${PASSWORD_FILE.pathname}: \`./dev up\` creates the owner and writes it (or set E2E_ADMIN_PASSWORD)`,
  )
  return readFileSync(PASSWORD_FILE, 'utf8').trim()
}

let browser

before(async () => {
  await assertStackReachable()
  browser = await launchBrowser('admin')
})

after(async () => {
  await browser?.close()
})

/** A photo the catalog accepts: a real PNG, drawn by the browser itself. */
async function aPhoto(page) {
  await page.setContent(
    '<body style="margin:0"><div style="width:640px;height:480px;background:linear-gradient(135deg,#e33,#fc3)"></div></body>',
  )
  return page.locator('div').screenshot({ type: 'png' })
}

/** "$24.50" -> "24.50" */
function amount(text) {
  return text.replace(/[^\d.]/g, '')
}

describe('the web admin', { concurrency: false }, () => {
  // A name no other product has, so search and the storefront find exactly this one.
  const stamp = Date.now().toString(36).toUpperCase()
  const name = `Lantern ${stamp}`
  const sku = `E2E-${stamp}-RED`
  let context
  let page
  let errors
  let productId
  let slug

  before(async () => {
    context = await newContext(browser)
    page = await context.newPage()
    errors = watchErrors(page)
  })

  after(async () => {
    await context?.close()
  })

  test('the owner signs in', async () => {
    await page.goto('/admin')
    await page.waitForURL(/\/admin\/login/)
    await screenshot(page, 'admin/01-login')
    await page.getByLabel('Email').fill(OWNER_EMAIL)
    await page.getByLabel('Password').fill(ownerPassword())
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Sign out' }).waitFor()
    assert.match(await page.locator('.topbar .who').textContent(), /owner/)
    await screenshot(page, 'admin/02-dashboard')
  })

  test('creates a product with a variant, then gives it a photo', async () => {
    await page.goto('/admin/products/new')
    await page.getByLabel('Name', { exact: true }).fill(name)
    await page.getByLabel('Brand').fill('Glowco')
    await page.getByLabel('Status').selectOption('active')
    await page.locator('#f-description').fill(`A red lantern made for the end-to-end test ${stamp}.`)
    const categories = page.locator('#f-category_ids option')
    if ((await categories.count()) > 0) {
      await page.locator('#f-category_ids').selectOption(await categories.first().getAttribute('value'))
    }
    await page.getByLabel('Option names').fill('color')
    await page.getByLabel('Option values of variant 1').fill('Red')
    await page.getByLabel('SKU of variant 1').fill(sku)
    await page.getByLabel('Price of variant 1').fill('19.99')
    await page.getByLabel('Initial stock of variant 1').fill('7')
    await screenshot(page, 'admin/03-new-product')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.waitForURL(/\/admin\/products\/\d+$/)
    productId = page.url().match(/\/admin\/products\/(\d+)$/)[1]
    await page.getByText(`Created “${name}”.`).waitFor()
    slug = await page.locator('#f-slug').inputValue()
    assert.ok(slug, 'the slug was made from the name')

    // The photo: the admin sniffs it, puts it in the bucket, and the catalog resizes it.
    const photo = await aPhoto(await context.newPage())
    await page.locator('#f-photo').setInputFiles({ name: 'lantern.png', mimeType: 'image/png', buffer: photo })
    await page.locator('#photos').getByLabel('Alt text').last().fill('A red lantern')
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.waitForURL(new RegExp(`/admin/products/${productId}`))
    const img = page.locator('#photos img[alt="A red lantern"]')
    await img.waitFor()
    assert.match(await img.getAttribute('src'), /^\/images\/[0-9a-f]{32}\//)
    assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the photo is served')
    await screenshot(page, 'admin/04-product-saved')
  })

  test('the storefront and search show the new product', async () => {
    const product = await eventually(() => api(`/api/products/${slug}`), 15_000)
    assert.equal(product.name, name)
    assert.ok(product.variants.some((v) => v.sku === sku), 'the variant is on sale')
    assert.ok(product.images?.length >= 1, 'with its photo')

    const shopper = await newContext(browser)
    const storefront = await shopper.newPage()
    await storefront.goto(`/p/${slug}`)
    await storefront.getByRole('heading', { name }).waitFor()
    assert.equal(amount(await storefront.getByTestId('price').textContent()), '19.99')
    await screenshot(storefront, 'admin/05-storefront-product')

    // The search index follows the catalog's events.
    await eventually(async () => {
      const found = await api(`/api/search?q=${encodeURIComponent(name)}&limit=5`)
      assert.ok(found.hits.some((hit) => hit.sku === product.sku), `search finds ${name}`)
    }, 30_000)
    await storefront.goto(`/search?q=${encodeURIComponent(name)}`)
    await storefront.getByTestId('results').getByText(name).first().waitFor()
    await screenshot(storefront, 'admin/06-storefront-search')
    await shopper.close()
  })

  test('a new price is saved once and the storefront shows it', async () => {
    await page.goto(`/admin/products/${productId}`)
    await page.getByLabel('Price of variant 1').fill('24.50')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText(`Saved “${name}”.`).waitFor()
    assert.equal(await page.getByLabel('Price of variant 1').inputValue(), '24.50')

    const shopper = await newContext(browser)
    const storefront = await shopper.newPage()
    await eventually(async () => {
      await storefront.goto(`/p/${slug}`)
      await storefront.getByRole('heading', { name }).waitFor()
      assert.equal(amount(await storefront.getByTestId('price').textContent()), '24.50')
    }, 15_000)
    await screenshot(storefront, 'admin/07-storefront-new-price')
    await shopper.close()
  })

  test('the audit log has both saves, by the owner, with the product before and after', async () => {
    await page.goto(`/admin/audit?action=product.save&target_type=product&target_id=${productId}`)
    const rows = page.locator('tbody tr')
    await rows.first().waitFor()
    const text = await page.locator('tbody').textContent()
    assert.equal((text.match(/product\.save/g) ?? []).length, 2, text)
    assert.ok(text.includes(OWNER_EMAIL))
    assert.ok(text.includes('24.50') && text.includes('19.99'), 'the price before and after')
    await screenshot(page, 'admin/08-audit')
  })

  test('the stock and category pages show it', async () => {
    await page.goto(`/admin/stock?q=${encodeURIComponent(sku)}`)
    await page.getByRole('link', { name }).click()
    await page.waitForURL(new RegExp(`/admin/stock/products/${productId}$`))
    assert.equal((await page.locator('dd.on-hand').first().textContent()).trim(), '7')
    await page.getByLabel('Units').fill('3')
    await page.getByLabel('Reason').selectOption('received')
    await page.getByRole('button', { name: 'Adjust' }).click()
    await page.getByText(`${sku}: on hand 7 → 10, 10 available.`).waitFor()
    await screenshot(page, 'admin/09-stock')

    await page.goto('/admin/categories')
    await page.locator('table.tree').waitFor()
    await screenshot(page, 'admin/10-categories')
    assert.deepEqual(errors, [])
  })

  test('sold out, a shopper asks to hear when it is back; the restock emails them once; the link unsubscribes', async () => {
    // A count finds none left.
    await page.goto(`/admin/stock/products/${productId}`)
    await page.getByLabel('Change').selectOption('set')
    await page.getByLabel('Units').fill('0')
    await page.getByLabel('Reason').selectOption('counted')
    await page.getByRole('button', { name: 'Adjust' }).click()
    await page.getByText(`${sku}: on hand 10 → 0, 0 available.`).waitFor()

    const shopperEmail = `alert-${stamp.toLowerCase()}@example.com`
    const shopper = await newContext(browser)
    const storefront = await shopper.newPage()
    await eventually(async () => {
      await storefront.goto(`/p/${slug}`)
      await storefront.getByTestId('stock-alert').waitFor({ timeout: 2000 })
    }, 15_000)
    await storefront.getByRole('textbox', { name: 'Email' }).fill(shopperEmail)
    await storefront.getByRole('button', { name: 'Notify me' }).click()
    await storefront.getByTestId('stock-alert-done').waitFor()
    await screenshot(storefront, 'admin/11-storefront-notify-me')
    assert.deepEqual(await accessibilityViolations(storefront), [], 'no serious accessibility problem on 11-storefront-notify-me')

    // A delivery: the catalog announces the request, the mailer writes one email.
    await page.goto(`/admin/stock/products/${productId}`)
    await page.getByLabel('Units').fill('5')
    await page.getByLabel('Reason').selectOption('received')
    await page.getByRole('button', { name: 'Adjust' }).click()
    await page.getByText(`${sku}: on hand 0 → 5, 5 available.`).waitFor()
    const email = await findAlertEmail(shopperEmail, name)
    assert.equal(email.copies, 1, 'one email per request')
    const text = email.parts.get('text/plain')
    assert.ok(text.includes(`/p/${slug}?sku=${encodeURIComponent(sku)}`), `a link to the variant: ${text}`)
    const unsubscribe = /https?:\/\/[^/\s]+(\/stock-alerts\/[0-9a-f]{32})/.exec(text)?.[1]
    assert.ok(unsubscribe, `an unsubscribe link: ${text}`)

    await storefront.goto(unsubscribe)
    await storefront.getByRole('button', { name: 'Unsubscribe' }).waitFor()
    assert.deepEqual(await accessibilityViolations(storefront), [], 'no serious accessibility problem on the alert page')
    assert.ok((await layoutShift(storefront)) < 0.1, 'a stable page: layout shift under 0.1 on the alert page')
    await storefront.getByRole('button', { name: 'Unsubscribe' }).click()
    await storefront.getByTestId('alert-unsubscribed').waitFor()
    await screenshot(storefront, 'admin/12-storefront-unsubscribed')
    await shopper.close()
  })
})
