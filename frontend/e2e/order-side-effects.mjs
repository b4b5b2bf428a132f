// Hook for what an order must cause outside the storefront: the confirmation email in the mailer's log and the
// OrderCreated message in SQS (SPEC §7). Called once per order placed by the e2e with the order as the
// checkout API returned it. The checks are added with the mailer and bridge; until then this only records the
// order it would check.
//
// `order` has number, email, lines, totals, lookup_token and order_url; `baseUrl` is the storefront.
export async function verifyOrderSideEffects({ order, baseUrl }) {
  console.log(`# order side effects: email and SQS checks not wired yet (order ${order.number} at ${baseUrl})`)
}
