// An order's state as the shopper reads it, on the order page and in the account's list of orders. A state added
// by a newer checkout is shown as the server names it; the accounts service says `unknown` for one it cannot name
// (the order's own page, read from checkout, names it).
import type { Order } from '../api/types'

const STATES: Record<Order['state'] | 'unknown', string> = {
  pending: 'Pending',
  paid: 'Paid',
  processing: 'Being prepared',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  payment_failed: 'Payment failed',
  refunded: 'Refunded',
  unknown: 'See the order',
}

export function orderStateLabel(state: string): string {
  return STATES[state as keyof typeof STATES] ?? state
}
