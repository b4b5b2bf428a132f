// The order just placed, kept in memory so the confirmation page shows it at once instead of asking the server
// again for what it answered a moment ago. A reload or a later visit reads it through the lookup link.
import type { PlacedOrder } from '../api/types'

const placed = new Map<string, PlacedOrder>()

export function rememberPlacedOrder(order: PlacedOrder): void {
  placed.set(order.number, order)
}

export function placedOrder(number: string, token: string): PlacedOrder | undefined {
  const order = placed.get(number)
  return order && order.lookup_token === token ? order : undefined
}
