// End-to-end: an order from the storefront followed through the web admin, against a running stack (`./dev up`)
// at E2E_BASE_URL. A shopper places an order; the owner finds it in /admin/orders, marks it processing and ships
// it with a DHL tracking number; the mailer's shipping email lands in the mail directory (E2E_MAIL_DIR, `.eml`
// files with an `X-Shop-Email-Kind` header) and the shopper's order page shows the tracking link in its timeline;
// the owner refunds part of it and the refund email follows; a viewer the owner adds sees the order without a
// single action form. A dead letter of the order's confirmation (published as the operator, E2E_NATS_URL with
// the `ops` password of .dev/nats-passwords.env) is replayed from the admin and sends nothing twice. The reports
// and the dashboard's event lag show the day. Screenshots go to e2e-artifacts/admin-orders/.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, headers } from '@nats-io/transport-node'
import { localPort } from '../scripts/ports.mjs'
import {
  MAIL_DIR,
  api,
  assertStackReachable,
  emailsWhere,
  eventually,
  launchBrowser,
  newContext,
  screenshot,
  watchErrors,
} from './support.mjs'

const OWNER_EMAIL = process.env.E2E_ADMIN_EMAIL ?? 'owner@shop.local'
const PASSWORD_FILE = new URL('../../.dev/admin-owner-password', import.meta.url)
const NATS_URL = process.env.E2E_NATS_URL ?? `nats://127.0.0.1:${localPort('nats')}`
const NATS_PASSWORDS = new URL('../../.dev/nats-passwords.env', import.meta.url)

/** The operator's NATS password: E2E_NATS_OPS_PASSWORD, or the one `./dev up` generated. */
function opsPassword() {
  if (process.env.E2E_NATS_OPS_PASSWORD) return process.env.E2E_NATS_OPS_PASSWORD
  const line = readFileSync(NATS_PASSWORDS, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('NATS_OPS_PASSWORD='))
  assert.ok(line, `E2E: no NATS_OPS_PASSWORD in ${NATS_PASSWORDS.pathname} (or set E2E_NATS_OPS_PASSWORD)`)
  return line.slice('NATS_OPS_PASSWORD='.length).trim()
}

function ownerPassword() {
  if (process.env.E2E_ADMIN_PASSWORD) return process.env.E2E_ADMIN_PASSWORD
  assert.ok(
    existsSync(PASSWORD_FILE),
    `E2E: no ${PASSWORD_FILE.pathname}: \`./dev up\` creates the owner and writes it (or set E2E_ADMIN_PASSWORD)`,
  )
  return readFileSync(PASSWORD_FILE, 'utf8').trim()
}

/** The `.eml` file of `kind` (X-Shop-Email-Kind) about order `number`, as text with soft line breaks undone. */
async function findEmail(number, kind) {
  return (await findEmails(number, kind))[0] ?? null
}

/** Every `.eml` file of `kind` about order `number`. */
function findEmails(number, kind) {
  return emailsWhere((header) => header('X-Shop-Order-Number') === number && header('X-Shop-Email-Kind') === kind)
}

async function waitForEmail(number, kind) {
  return eventually(async () => {
    const email = await findEmail(number, kind)
    assert.ok(email, `a ${kind} email for ${number} in ${MAIL_DIR}`)
    return email
  }, 30_000)
}

async function signIn(page, email, password) {
  await page.goto('/admin/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
}

let browser

before(async () => {
  await assertStackReachable()
  browser = await launchBrowser('admin-orders')
})

after(async () => {
  await browser?.close()
})

describe('orders in the web admin', { concurrency: false }, () => {
  const stamp = Date.now().toString(36).toUpperCase()
  const shopperEmail = `e2e-orders-${stamp.toLowerCase()}@example.com`
  const tracking = `JD0146${stamp}`
  const viewerEmail = `e2e-viewer-${stamp.toLowerCase()}@shop.local`
  const viewerPassword = `viewer password ${stamp}`
  let order
  let orderPath
  let context
  let admin
  let errors

  before(async () => {
    context = await newContext(browser)
    admin = await context.newPage()
    errors = watchErrors(admin)
    // Every action form asks for a confirmation first (data-confirm): the owner says yes.
    admin.on('dialog', (dialog) => dialog.accept())
  })

  after(async () => {
    await context?.close()
  })

  test('a shopper places an order in the storefront', async () => {
    const { products } = await api('/api/products?in_stock=true&sort=popularity&limit=50')
    const product = products.find((p) => p.available >= 3)
    assert.ok(product, 'a product with 3 or more units in stock')
    const shopper = await newContext(browser)
    const page = await shopper.newPage()
    await page.goto(`/p/${product.slug}`)
    await page.getByRole('button', { name: 'Add to cart' }).click()
    await page.getByTestId('added').waitFor()
    await page.goto('/checkout')
    await page.fill('#email', shopperEmail)
    await page.fill('#customer_name', 'Olga Orders')
    await page.fill('#line1', '2 Admin Road')
    await page.fill('#city', 'Springfield')
    await page.fill('#postal_code', '12345')
    await page.selectOption('#country', 'US')
    await page.check('input[name="shipping_method"][value="standard"]')
    await page.selectOption('#card_token', 'tok_visa')
    const placed = page.waitForResponse((r) => r.url().endsWith('/api/orders') && r.request().method() === 'POST')
    await page.getByTestId('place-order').click()
    const response = await placed
    assert.equal(response.status(), 201)
    order = await response.json()
    await page.waitForURL(/\/orders\/[^/?]+\?token=/)
    orderPath = new URL(page.url()).pathname + new URL(page.url()).search
    await shopper.close()
  })

  test('the owner finds it in the orders list and opens it', async () => {
    assert.ok(order, 'the storefront placed an order')
    await signIn(admin, OWNER_EMAIL, ownerPassword())
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders', exact: true }).click()
    await admin.waitForURL(/\/admin\/orders$/)
    await admin.getByLabel('Search').fill(shopperEmail)
    await admin.getByRole('button', { name: 'Apply' }).click()
    const link = admin.getByRole('link', { name: order.number })
    await link.waitFor()
    assert.equal(await admin.locator('#results tbody tr').count(), 1, 'only this order matches its email')
    await screenshot(admin, 'admin-orders/01-list')
    await link.click()
    await admin.waitForURL(new RegExp(`/admin/orders/${order.number}$`))
    assert.equal((await admin.getByTestId('order-state').textContent()).trim(), 'paid')
    assert.ok((await admin.getByTestId('totals').textContent()).includes(order.total), 'the total as checkout sent it')
    await eventually(async () => {
      await admin.reload()
      assert.ok((await admin.getByTestId('timeline').textContent()).includes('Order confirmation emailed'))
    }, 30_000)
    await screenshot(admin, 'admin-orders/02-order')
  })

  test('the owner ships it with tracking; the shipping email and the shopper’s page show it', async () => {
    await admin.getByRole('button', { name: 'Mark processing' }).click()
    await admin.getByText(`Order ${order.number} is being processed.`).waitFor()
    await admin.getByLabel('Carrier').fill('DHL')
    await admin.getByLabel('Tracking number').fill(tracking)
    await admin.getByRole('button', { name: 'Ship', exact: true }).click()
    await admin.getByText(`Order ${order.number} shipped with DHL, tracking ${tracking}.`).waitFor()
    assert.equal((await admin.getByTestId('order-state').textContent()).trim(), 'shipped')
    await screenshot(admin, 'admin-orders/03-shipped')

    const email = await waitForEmail(order.number, 'order_shipped')
    assert.ok(email.text.toLowerCase().includes(shopperEmail), 'addressed to the shopper')
    assert.ok(email.text.includes(tracking), `the tracking number is in ${email.file}`)

    const shopper = await newContext(browser)
    const page = await shopper.newPage()
    await page.goto(orderPath)
    await page.getByTestId('order-timeline').waitFor()
    const trackingLink = page.getByTestId('tracking-link')
    assert.equal((await trackingLink.textContent()).trim(), tracking)
    assert.match(await trackingLink.getAttribute('href'), /^https:\/\//)
    await screenshot(page, 'admin-orders/04-shopper-tracking')
    await shopper.close()
  })

  test('the owner refunds part of it and the refund email follows', async () => {
    await admin.getByLabel('An amount').check()
    await admin.getByLabel('Amount', { exact: true }).fill('1.00')
    await admin.locator('#f-refund-reason').fill('E2E partial refund')
    await admin.getByRole('button', { name: 'Refund', exact: true }).click()
    await admin.getByText(/^Refunded: 1\.00 /).waitFor()
    assert.match(await admin.getByTestId('refunded').textContent(), /^1\.00 /)
    const email = await waitForEmail(order.number, 'order_refunded')
    assert.ok(email.text.includes('1.00'), `the amount is in ${email.file}`)
    await eventually(async () => {
      await admin.reload()
      const timeline = await admin.getByTestId('timeline').textContent()
      assert.ok(timeline.includes('Refund notice emailed') && timeline.includes('Shipping notice emailed'), timeline)
    }, 30_000)
    await screenshot(admin, 'admin-orders/05-refunded')
    assert.deepEqual(errors, [])
  })

  test('a dead letter of the order’s confirmation is replayed from the admin and sends nothing twice', async () => {
    // As if the mailer had given up on the order's OrderCreated: its dead letter, with the real event.
    const subject = `orders.${order.number}.created`
    const nc = await connect({ servers: NATS_URL, user: 'ops', pass: opsPassword() })
    try {
      const original = await (await jetstreamManager(nc)).streams.getMessage('ORDERS', { last_by_subj: subject })
      const h = headers()
      h.set('Shop-Original-Subject', subject)
      h.set('Shop-Original-Stream', 'ORDERS')
      h.set('Shop-Original-Sequence', String(original.seq))
      h.set('Shop-Dead-Letter-Reason', 'E2E: a dead letter to replay')
      await jetstream(nc).publish(`deadletter.mailer.${subject}`, original.data, { headers: h })
    } finally {
      await nc.close()
    }

    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click()
    const row = admin.locator('tr', { hasText: subject })
    await row.waitFor()
    assert.ok((await row.textContent()).includes('E2E: a dead letter to replay'))
    await screenshot(admin, 'admin-orders/06-dead-letter')
    await row.getByRole('link').first().click()
    await admin.getByRole('button', { name: 'Replay' }).click()
    await admin.getByText(/^Dead letter \d+ replayed/).waitFor()
    assert.equal(await admin.locator('tr', { hasText: subject }).count(), 0, 'gone from the list')

    // The mailer sees OrderCreated again and knows it: still one confirmation, in the mail and in the log.
    await new Promise((resolve) => setTimeout(resolve, 3000))
    assert.equal((await findEmails(order.number, 'order_confirmation')).length, 1)
    await admin.goto(`/admin/emails?kind=order_confirmation&recipient=${encodeURIComponent(shopperEmail)}`)
    assert.equal(await admin.locator('table.emails tbody tr').count(), 1)
    assert.deepEqual(errors, [])
  })

  test('the reports and the dashboard show the day', async () => {
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click()
    const today = new Date().toISOString().slice(0, 10)
    const day = admin.getByTestId('sales-report').locator('tbody tr', { hasText: today })
    const cells = await day.locator('td').allTextContents()
    assert.ok(Number(cells[0]) >= 1, `at least this order today: ${cells}`)
    assert.ok(Number(cells[3]) >= 1, `at least its refund today: ${cells}`)
    await screenshot(admin, 'admin-orders/07-sales-report')
    const csv = await admin.request.get(`/admin/reports/sales.csv?from=${today}&to=${today}`)
    assert.equal(csv.status(), 200)
    assert.match(await csv.text(), new RegExp(`^day,orders,units,revenue,refunds,refund_count,payment_failures,currency\n${today},${cells[0]},`))

    await admin.getByRole('link', { name: 'Top products' }).click()
    await admin.getByTestId('top-products').waitFor()
    await screenshot(admin, 'admin-orders/08-top-products')

    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click()
    // The mailer and the bridge follow ORDERS, the mailer's alerts CATALOG; the search indexer has a consumer only
    // with Meilisearch.
    for (const consumer of ['mailer', 'mailer-alerts', 'bridge', 'search-indexer']) {
      const row = admin
        .getByTestId('consumers')
        .locator('tr')
        .filter({ has: admin.locator('td:first-child', { hasText: new RegExp(`^\\s*${consumer}\\s*$`) }) })
      const lag = await row.textContent()
      assert.ok(!lag.includes('not available'), `${consumer}'s lag is shown: ${lag}`)
      if (consumer !== 'search-indexer') assert.ok(!lag.includes('no such consumer'), `${consumer}: ${lag}`)
    }
    await screenshot(admin, 'admin-orders/09-dashboard')
    assert.deepEqual(errors, [])
  })

  test('a viewer sees the order but no action form', async () => {
    await admin.goto('/admin/staff/new')
    await admin.getByLabel('Email').fill(viewerEmail)
    await admin.locator('#f-role').selectOption('viewer')
    await admin.getByLabel('Initial password').fill(viewerPassword)
    await admin.getByRole('button', { name: 'Add' }).click()
    await admin.getByText(`${viewerEmail} was added as viewer.`).waitFor()

    const viewerContext = await newContext(browser)
    const page = await viewerContext.newPage()
    await signIn(page, viewerEmail, viewerPassword)
    await page.goto(`/admin/orders/${order.number}`)
    await page.getByTestId('timeline').waitFor()
    assert.equal((await page.getByTestId('order-state').textContent()).trim(), 'shipped')
    assert.equal(await page.locator('form[action$="/actions"], form[action$="/notes"]').count(), 0)
    await screenshot(page, 'admin-orders/10-viewer')
    await viewerContext.close()
  })
})
