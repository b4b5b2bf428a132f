// What an order must cause outside the storefront (SPEC §7): the confirmation email in the mailer's file
// transport and the OrderCreated message in SQS. Both are looked at where the local stack puts them:
//
//   E2E_MAIL_DIR       the mailer's MAIL_DIR (default: <repo>/.dev/mail, where `./dev up` points it)
//   E2E_SQS_ENDPOINT   the SQS endpoint (default: moto, on its port in infra/ports.txt)
//   E2E_SQS_QUEUE      the bridge's queue (default: shop-orders; a FIFO queue's name ends in .fifo)
//
// SQS is spoken with plain fetch and its JSON protocol; moto does not check signatures, so a fixed
// Authorization header that names the region is enough.
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { localUrl } from '../scripts/ports.mjs'

const MAIL_DIR = process.env.E2E_MAIL_DIR ?? new URL('../../.dev/mail/', import.meta.url).pathname
const SQS_ENDPOINT = (process.env.E2E_SQS_ENDPOINT ?? localUrl('moto')).replace(/\/$/, '')
const SQS_QUEUE = process.env.E2E_SQS_QUEUE ?? 'shop-orders'
const WAIT_MS = 30_000

/** Checks the email and the SQS message of `order` (as the checkout API answered place-order). */
export async function verifyOrderSideEffects({ order, baseUrl }) {
  assert.ok(order?.number && order.email, `an order with a number and an email (from ${baseUrl})`)
  const email = await poll(`a confirmation email for ${order.number} in ${MAIL_DIR}`, () => findEmail(order))
  assert.match(email.to, new RegExp(`<?${escape(order.email)}>?$`, 'i'), 'addressed to the shopper')
  assert.equal(email.headers.get('x-shop-order-number'), order.number)
  assert.ok(email.subject.includes(order.number), `the subject names the order: ${email.subject}`)
  for (const [type, text] of email.parts) {
    assert.ok(text.includes(order.number), `the ${type} part names the order`)
  }
  assert.deepEqual([...email.parts.keys()].sort(), ['text/html', 'text/plain'], 'an HTML and a text part')
  assert.equal(email.copies, 1, 'one confirmation per order, never two')

  const message = await poll(`OrderCreated for ${order.number} in SQS queue ${SQS_QUEUE} at ${SQS_ENDPOINT}`, () =>
    findOrderCreated(order.number),
  )
  const attribute = (name) => message.MessageAttributes?.[name]?.StringValue
  assert.equal(attribute('event_type'), 'OrderCreated')
  assert.equal(attribute('order_number'), order.number)
  const event = JSON.parse(message.Body)
  assert.equal(attribute('event_id'), event.id)
  assert.equal(event.data.email, order.email)
  assert.ok(!message.Body.includes('lookup_token'), 'no lookup_token leaves the host')
  assert.ok(!message.Body.includes(order.lookup_token), 'nor its value')
  console.log(`# order ${order.number}: email ${email.file} and SQS message ${message.MessageId} checked`)
}

/** The back-in-stock alert email(s) to `recipient` about `productName`, polled until there is one: the email
 *  parsed, with `copies` counting them (a request gets one email, never two). */
export async function findAlertEmail(recipient, productName) {
  return poll(`a back-in-stock email to ${recipient} in ${MAIL_DIR}`, async () => {
    const names = (await readdir(MAIL_DIR).catch(() => [])).filter((n) => n.endsWith('.eml') && !n.startsWith('.'))
    const matching = []
    for (const name of names) {
      const email = parseEmail(await readFile(join(MAIL_DIR, name), 'utf8'))
      if (email.headers.get('x-shop-email-kind') !== 'back_in_stock') continue
      if (!email.to.toLowerCase().includes(recipient.toLowerCase())) continue
      if (email.subject.includes(productName)) matching.push({ ...email, file: name })
    }
    return matching.length ? { ...matching[0], copies: matching.length } : null
  })
}

async function poll(what, find) {
  const deadline = Date.now() + WAIT_MS
  let lastError
  for (;;) {
    try {
      const found = await find()
      if (found) return found
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) {
      assert.fail(`no ${what} within ${WAIT_MS / 1000} s${lastError ? ` (last error: ${lastError.message})` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// --- the email ------------------------------------------------------------------------------------------------

/** The confirmation .eml file(s) of the order, read as one message; null while there is none. The mailer also
 *  writes the order's later emails (shipped, cancelled, refunded); its X-Shop-Email-Kind header tells them apart. */
async function findEmail(order) {
  const names = (await readdir(MAIL_DIR).catch(() => [])).filter((n) => n.endsWith('.eml') && !n.startsWith('.'))
  const matching = []
  for (const name of names) {
    const text = await readFile(join(MAIL_DIR, name), 'utf8')
    if (!text.includes(order.number)) continue
    const email = parseEmail(text)
    const kind = email.headers.get('x-shop-email-kind') ?? 'order_confirmation'
    if (kind !== 'order_confirmation') continue
    if (email.to.toLowerCase().includes(order.email.toLowerCase())) matching.push({ ...email, file: name })
  }
  return matching.length ? { ...matching[0], copies: matching.length } : null
}

/** Just enough RFC 5322 + MIME for what the mailer writes: headers, and the parts of a multipart body. */
function parseEmail(text) {
  const [head, body] = splitHead(text)
  const headers = parseHeaders(head)
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1]
  const parts = new Map()
  const chunks = boundary ? body.split(`--${boundary}`).slice(1, -1) : [body]
  for (const chunk of chunks) {
    const [partHead, partBody] = boundary ? splitHead(chunk.replace(/^\r?\n/, '')) : [head, body]
    const partHeaders = parseHeaders(partHead)
    const type = (partHeaders.get('content-type') ?? 'text/plain').split(';')[0].trim().toLowerCase()
    const qp = /quoted-printable/i.test(partHeaders.get('content-transfer-encoding') ?? '')
    parts.set(type, qp ? decodeQuotedPrintable(partBody) : partBody)
  }
  return { headers, to: decodeWords(headers.get('to') ?? ''), subject: decodeWords(headers.get('subject') ?? ''), parts }
}

function splitHead(text) {
  const end = text.search(/\r?\n\r?\n/)
  return end < 0 ? [text, ''] : [text.slice(0, end), text.slice(end).replace(/^\r?\n\r?\n/, '')]
}

function parseHeaders(head) {
  const headers = new Map()
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  return headers
}

function decodeQuotedPrintable(text) {
  // Quoted-printable text is ASCII: each =XX becomes one byte, and the bytes are UTF-8.
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
}

/** RFC 2047 encoded words (=?UTF-8?B?...?= and =?UTF-8?Q?...?=) in a header. */
function decodeWords(value) {
  return value.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, encoding, data) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  )
}

// --- the SQS message ------------------------------------------------------------------------------------------

async function sqs(action, body) {
  const response = await fetch(SQS_ENDPOINT + '/', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `AmazonSQS.${action}`,
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20000101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  })
  const answer = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(`SQS ${action}: ${response.status} ${answer.__type ?? ''} ${answer.message ?? ''}`)
  return answer
}

const isOrderCreated = (number) => (message) => {
  try {
    const event = JSON.parse(message.Body)
    return event.type === 'OrderCreated' && event.data?.number === number
  } catch {
    return false
  }
}

/**
 * The OrderCreated message of order `number`, left in the queue for whoever consumes it. The first look keeps
 * every message visible (VisibilityTimeout 0). moto answers oldest first, so behind a backlog of more than ten
 * the batches already seen are hidden for a moment to reach the next ones, and made visible again at the end.
 */
async function findOrderCreated(number) {
  const { QueueUrl } = await sqs('GetQueueUrl', { QueueName: SQS_QUEUE })
  const receive = async (visibility) =>
    (
      await sqs('ReceiveMessage', {
        QueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibility,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 0,
      })
    ).Messages ?? []
  const first = await receive(0)
  const found = first.find(isOrderCreated(number))
  if (found || first.length < 10) return found ?? null

  const hidden = []
  try {
    for (;;) {
      const batch = await receive(30)
      hidden.push(...batch.map((m) => m.ReceiptHandle))
      const match = batch.find(isOrderCreated(number))
      if (match || batch.length === 0) return match ?? null
    }
  } finally {
    for (let i = 0; i < hidden.length; i += 10) {
      const Entries = hidden.slice(i, i + 10).map((ReceiptHandle, n) => ({ Id: `m${n}`, ReceiptHandle, VisibilityTimeout: 0 }))
      await sqs('ChangeMessageVisibilityBatch', { QueueUrl, Entries })
    }
  }
}
