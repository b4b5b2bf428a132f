// End-to-end: a promotion from the web admin to the shopper's order, against a running stack (`./dev up`) at
// E2E_BASE_URL. The owner creates a 10 % code in /admin/promotions; a shopper tries a code that does not exist
// (the reason shows at the field), applies the real one in any case on the cart page, sees the discount in the
// checkout's totals and places the order for exactly the total shown; the order page, the confirmation email
// (E2E_MAIL_DIR) and the admin's order page and promotions list show the discount. Screenshots go to
// e2e-artifacts/promotions/.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import {
  MAIL_DIR,
  api,
  assertStackReachable,
  cents,
  emailsWhere,
  eventually,
  launchBrowser,
  newContext,
  screenshot,
  watchErrors,
} from './support.mjs'

const OWNER_EMAIL = process.env.E2E_ADMIN_EMAIL ?? 'owner@shop.local'
const PASSWORD_FILE = new URL('../../.dev/admin-owner-password', import.meta.url)

function ownerPassword() {
  if (process.env.E2E_ADMIN_PASSWORD) return process.env.E2E_ADMIN_PASSWORD
  assert.ok(existsSync(PASSWORD_FILE), `E2E: no ${PASSWORD_FILE.pathname} (run \`./dev up\` or set E2E_ADMIN_PASSWORD)`)
  return readFileSync(PASSWORD_FILE, 'utf8').trim()
}

let browser

before(async () => {
  await assertStackReachable()
  browser = await launchBrowser('promotions')
})

after(async () => {
  await browser?.close()
})

describe('a promotion code from the admin to the order', { concurrency: false }, () => {
  const stamp = Date.now().toString(36).toUpperCase()
  const code = `E2E-${stamp}`
  const name = `E2E ten percent ${stamp}`
  const shopperEmail = `e2e-promo-${stamp.toLowerCase()}@example.com`
  let context
  let admin
  let adminErrors
  let order

  before(async () => {
    context = await newContext(browser)
    admin = await context.newPage()
    adminErrors = watchErrors(admin)
    admin.on('dialog', (dialog) => dialog.accept())
  })

  after(async () => {
    await context?.close()
  })

  test('the owner creates a 10 % code', async () => {
    await admin.goto('/admin/login')
    await admin.getByLabel('Email').fill(OWNER_EMAIL)
    await admin.getByLabel('Password').fill(ownerPassword())
    await admin.getByRole('button', { name: 'Sign in' }).click()
    await admin.getByRole('button', { name: 'Sign out' }).waitFor()
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Promotions' }).click()
    await admin.waitForURL(/\/admin\/promotions$/)
    await admin.getByRole('link', { name: 'New promotion' }).click()
    await admin.getByLabel('Name', { exact: true }).fill(name)
    await admin.getByLabel('Code', { exact: true }).fill(code.toLowerCase())
    await admin.getByLabel('Takes off').selectOption('percent_off')
    await admin.getByLabel('Value', { exact: true }).fill('10')
    await admin.getByRole('button', { name: 'Save' }).click()
    await admin.waitForURL(/\/admin\/promotions\/\d+$/)
    assert.equal((await admin.getByTestId('promotion-state').textContent()).trim(), 'active')
    assert.equal(await admin.getByLabel('Code', { exact: true }).inputValue(), code, 'stored upper case')
    await screenshot(admin, 'promotions/01-created')
  })

  test('a shopper applies it on the cart and orders for exactly the total shown', async () => {
    const { products } = await api('/api/products?in_stock=true&sort=popularity&limit=50')
    const product = products.find((p) => p.available >= 2 && cents(p.price) >= 1000)
    assert.ok(product, 'a product of 10.00 or more with 2 units in stock')
    const shopper = await newContext(browser)
    const page = await shopper.newPage()
    const errors = watchErrors(page)
    await page.goto(`/p/${product.slug}`)
    await page.getByRole('button', { name: 'Add to cart' }).click()
    await page.getByTestId('added').waitFor()
    await page.goto('/cart')

    await page.getByTestId('coupon-input').fill('NO-SUCH-CODE-E2E')
    await page.getByTestId('coupon-apply').click()
    await page.getByTestId('coupon-error').waitFor()
    assert.match(await page.getByTestId('coupon-error').textContent(), /does not exist/i)

    await page.getByTestId('coupon-input').fill(`  ${code.toLowerCase()} `)
    await page.getByTestId('coupon-apply').click()
    await page.getByTestId('coupon-applied').waitFor()
    assert.ok((await page.getByTestId('coupon-applied').textContent()).includes(code))
    const cartDiscount = page.getByTestId('discount-line')
    await cartDiscount.first().waitFor()
    assert.ok((await cartDiscount.first().textContent()).includes(name))
    await screenshot(page, 'promotions/02-cart')

    await page.goto('/checkout')
    await page.fill('#email', shopperEmail)
    await page.fill('#customer_name', 'Pia Promo')
    await page.fill('#line1', '3 Coupon Lane')
    await page.fill('#city', 'Springfield')
    await page.fill('#postal_code', '12345')
    await page.selectOption('#country', 'US')
    await page.check('input[name="shipping_method"][value="standard"]')
    await page.selectOption('#card_token', 'tok_visa')
    const totals = page.getByTestId('order-totals')
    await totals.getByTestId('discount-line').first().waitFor()
    await screenshot(page, 'promotions/03-checkout')
    const placed = page.waitForResponse((r) => r.url().endsWith('/api/orders') && r.request().method() === 'POST')
    await page.getByTestId('place-order').click()
    const response = await placed
    const sent = response.request().postDataJSON()
    assert.equal(response.status(), 201, await response.text())
    order = await response.json()
    assert.equal(sent.expected_total, order.total, 'the total shown is the total charged')
    assert.equal(order.discounts.length, 1)
    assert.equal(order.discounts[0].code, code)
    // 10 % of the subtotal, to the cent.
    const expected = Math.round(cents(order.subtotal) / 10)
    assert.equal(cents(order.discount), expected)
    assert.equal(
      cents(order.total),
      cents(order.subtotal) - cents(order.discount) + cents(order.shipping) + cents(order.tax),
    )

    await page.waitForURL(/\/orders\/[^/?]+\?token=/)
    await page.getByTestId('order-discount-total').waitFor()
    assert.ok((await page.getByTestId('discount-line').first().textContent()).includes(code))
    await screenshot(page, 'promotions/04-order')
    assert.deepEqual(errors, [], 'no console errors in the storefront')
    await shopper.close()
  })

  test('the confirmation email shows the discount', async () => {
    assert.ok(order, 'the shopper placed an order')
    const email = await eventually(async () => {
      const [found] = await emailsWhere(
        (header) => header('X-Shop-Order-Number') === order.number && header('X-Shop-Email-Kind') === 'order_confirmation',
      )
      assert.ok(found, `a confirmation for ${order.number} in ${MAIL_DIR}`)
      return found
    }, 30_000)
    assert.ok(email.text.includes(`${name} (${code})`), `the promotion is named in ${email.file}`)
    assert.ok(email.text.includes(`-$${order.discount}`), `the discount ${order.discount} is in ${email.file}`)
  })

  test('the admin shows the discount on the order and the use in the promotions list', async () => {
    await admin.goto(`/admin/orders/${order.number}`)
    assert.ok((await admin.getByTestId('discount').textContent()).includes(order.discount))
    const discounts = await admin.getByTestId('discounts').textContent()
    assert.ok(discounts.includes(name) && discounts.includes(code), discounts)
    await screenshot(admin, 'promotions/05-admin-order')

    await admin.goto('/admin/promotions')
    const row = admin.locator('tr', { has: admin.getByRole('link', { name }) })
    const text = await row.textContent()
    assert.match(text, /\b1 \/ ∞/, `one use: ${text}`)
    assert.ok(text.includes(order.discount), `the discount given: ${text}`)
    assert.ok(text.includes(order.total), `the revenue: ${text}`)
    await screenshot(admin, 'promotions/06-admin-list')
    assert.deepEqual(adminErrors, [], 'no console errors in the admin')
  })
})
