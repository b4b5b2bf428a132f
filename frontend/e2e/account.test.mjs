// End-to-end: a shopper's account in headless Chromium, against a running stack (`./dev up`) at E2E_BASE_URL.
// They sign up, confirm their address with the link from the email the mailer wrote (E2E_MAIL_DIR), fill a
// cart; on a second browser they fill another cart as a guest, sign in and find the two carts merged; they
// order with the saved-address offer, find the order in their history with its timeline, buy it again, save a
// product to their wishlist, and sign out. A wrong password and an address without an account get answers that
// tell nothing. Screenshots go to e2e-artifacts/account/.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  accessibilityViolations,
  api,
  assertStackReachable,
  emailsWhere,
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
  browser = await launchBrowser('account')
})

after(async () => {
  await browser?.close()
})

const PASSWORD = 'a long and quiet river'

/** The newest link of `kind` (X-Shop-Email-Kind) emailed to `to`, with quoted-printable `=3D` undone. */
async function emailedLink(to, kind, path) {
  return eventually(async () => {
    const emails = await emailsWhere((header) => header('X-Shop-Email-Kind') === kind && header('To')?.includes(to))
    assert.ok(emails.length, `a ${kind} email to ${to}`)
    const text = emails.at(-1).text.replace(/=3D/g, '=')
    const match = new RegExp(`https?://[^\\s"<>]*${path.replace(/[#/]/g, '\\$&')}[A-Za-z0-9_-]+`).exec(text)
    assert.ok(match, `a ${path} link in the ${kind} email`)
    return new URL(match[0])
  }, 30_000)
}

async function stockedProducts(count) {
  const page = await api('/api/products?in_stock=true&sort=popularity&limit=50')
  const picked = page.products.filter((p) => p.available >= 5).slice(0, count)
  assert.equal(picked.length, count, `need ${count} products in stock`)
  return picked
}

async function addToCart(page, slug) {
  await page.goto(`/p/${slug}`)
  await page.getByRole('button', { name: 'Add to cart' }).click()
  await page.getByTestId('added').waitFor()
}

const count = (page) => page.getByTestId('cart-count').textContent()

async function checkPage(page, name) {
  await screenshot(page, `account/${name}`)
  assert.deepEqual(await accessibilityViolations(page), [], `no serious accessibility problem on ${name}`)
  assert.ok((await layoutShift(page)) < 0.1, `a stable page: layout shift under 0.1 on ${name}`)
}

describe('shopper accounts', { concurrency: false }, () => {
  const email = `e2e-account-${Date.now().toString(36)}@example.com`

  test('sign up, confirm by email, merge a guest cart on a second browser, order and find it in the history', async () => {
    const [first, second] = await stockedProducts(2)

    // Browser A: sign up; the page says the same whatever the address.
    const a = await newContext(browser)
    const pageA = await a.newPage()
    const errorsA = watchErrors(pageA)
    await pageA.goto('/account/sign-up')
    await pageA.fill('#name', 'Erin Account')
    await pageA.fill('#email', email)
    await pageA.fill('#password', PASSWORD)
    await checkPage(pageA, '01-sign-up')
    await pageA.getByTestId('sign-up').click()
    await pageA.getByTestId('sign-up-done').waitFor()

    // The link from the email signs browser A in; the token leaves the address bar at once.
    const link = await emailedLink(email, 'account_verify', '/account/verify#token=')
    await pageA.goto(link.pathname + link.hash)
    await pageA.getByTestId('verify').waitFor()
    assert.equal(new URL(pageA.url()).hash, '', 'the token is gone from the address bar')
    await checkPage(pageA, '02-verify')
    await pageA.getByTestId('verify').click()
    await pageA.getByTestId('verify-done').waitFor()
    await addToCart(pageA, first.slug)
    assert.equal(await count(pageA), '1')

    // Browser B: a guest cart, then sign in: the carts are one.
    const b = await newContext(browser)
    const pageB = await b.newPage()
    const errorsB = watchErrors(pageB)
    await addToCart(pageB, second.slug)
    assert.equal(await count(pageB), '1')
    await pageB.goto('/account/sign-in?next=/cart')
    await pageB.fill('#email', email)
    await pageB.fill('#password', 'not the password at all')
    await pageB.getByTestId('sign-in').click()
    await eventually(async () => assert.match(await pageB.getByTestId('form-error').textContent(), /not right/))
    await checkPage(pageB, '03-sign-in-refused')
    // Past the throttle's first pause, the right password.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await pageB.fill('#password', PASSWORD)
    await pageB.getByTestId('sign-in').click()
    await pageB.waitForURL('**/cart')
    const lines = pageB.locator('li[data-sku]')
    await eventually(async () => assert.equal(await lines.count(), 2))
    const cartText = await pageB.locator('main').textContent()
    assert.ok(cartText.includes(first.name), 'the line added on browser A')
    assert.ok(cartText.includes(second.name), 'the guest line of browser B')
    assert.equal(await count(pageB), '2')
    await checkPage(pageB, '04-merged-cart')
    // Browser A sees the same cart when it looks again.
    await pageA.goto('/cart')
    await eventually(async () => assert.equal(await pageA.locator('li[data-sku]').count(), 2))

    // Order from B: the email is the account's; the address is saved for next time.
    await pageB.getByTestId('checkout-link').click()
    await pageB.waitForURL('**/checkout')
    await eventually(async () => assert.equal(await pageB.inputValue('#email'), email))
    await pageB.fill('#customer_name', 'Erin Account')
    await pageB.fill('#line1', '1 Account Street')
    await pageB.fill('#city', 'Springfield')
    await pageB.fill('#postal_code', '12345')
    await pageB.selectOption('#country', 'US')
    await pageB.check('input[name="shipping_method"][value="standard"]')
    await pageB.selectOption('#card_token', 'tok_visa')
    await pageB.getByTestId('save-address').check()
    await checkPage(pageB, '05-checkout-signed-in')
    const placed = pageB.waitForResponse((r) => r.url().endsWith('/api/orders') && r.request().method() === 'POST')
    await pageB.getByTestId('place-order').click()
    const order = await (await placed).json()
    await pageB.waitForURL(/\/orders\/[^/?]+\?token=/)

    // The history lists it; its page shows the timeline; "Buy again" fills the cart.
    await pageB.goto('/account/orders')
    const summary = pageB.getByTestId('order-summary').filter({ hasText: order.number })
    await summary.waitFor()
    await checkPage(pageB, '06-order-history')
    await summary.getByTestId('order-link').click()
    await pageB.waitForURL(`**/account/orders/${order.number}`)
    await pageB.getByTestId('order-timeline').waitFor()
    assert.equal(await pageB.getByTestId('order-number').textContent(), order.number)
    await checkPage(pageB, '07-account-order')
    await pageB.getByRole('button', { name: /buy again/i }).first().click()
    await eventually(async () => assert.equal(await count(pageB), '2'))

    // The address offered at the next checkout.
    await pageB.goto('/account/addresses')
    await eventually(async () => assert.match(await pageB.locator('main').textContent(), /1 Account Street/))
    await checkPage(pageB, '08-addresses')

    // The wishlist keeps a product with its current price.
    await pageB.goto(`/p/${first.slug}`)
    const wish = pageB.getByRole('button', { name: /wishlist/i })
    await wish.click()
    await eventually(async () => assert.equal(await wish.getAttribute('aria-pressed'), 'true'))
    await pageB.goto('/account/wishlist')
    await eventually(async () => assert.match(await pageB.locator('main').textContent(), new RegExp(first.name.slice(0, 12))))
    await checkPage(pageB, '09-wishlist')

    // Signing out forgets the cart on this browser.
    await pageB.goto('/account')
    await pageB.getByRole('button', { name: /sign out/i }).click()
    await eventually(async () => assert.equal(await count(pageB), '0'))
    assert.deepEqual(errorsA, [], 'no script errors on browser A')
    assert.deepEqual(errorsB, [], 'no script errors on browser B')
    await a.close()
    await b.close()
  })

  test('reset and sign-up answers tell nothing about which addresses have accounts', async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    const answers = []
    for (const address of [email, `nobody-${Date.now()}@example.com`]) {
      const response = page.waitForResponse((r) => r.url().endsWith('/api/account/password-reset'))
      await page.goto('/account/forgot')
      await page.fill('#email', address)
      await page.getByRole('button', { name: 'Send the link' }).click()
      const answer = await response
      answers.push([answer.status(), await answer.text()])
    }
    assert.deepEqual(answers[0], answers[1], 'the same answer for an account and for no account')
    await screenshot(page, 'account/10-forgot')
    const reset = await emailedLink(email, 'password_reset', '/account/reset#token=')
    assert.equal(reset.hash.length > 20, true)
    await context.close()
  })
})
