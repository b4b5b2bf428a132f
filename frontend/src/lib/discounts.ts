// Promotions as the summaries show them (cart, checkout, order): each one's row, and the few sums the server
// implies but does not send. Money stays a decimal string: the one subtraction here is exact, on integers.
// Kept apart from ./money so that the shell, which formats prices, does not carry what only these pages use.
import type { Discount } from '../api/types'
import { DECIMAL, formatMoney } from './money'

/** True for "0", "0.00", "-0": nothing to show as a discount. Not a decimal number: false. */
export function isZeroMoney(amount: string): boolean {
  return /^-?0*(\.0*)?$/.test(amount.trim()) && /\d/.test(amount)
}

/** An amount taken off, as the shopper reads it: "5" -> "−$5.00" (a true minus sign, which screen readers say). */
export function formatDiscount(amount: string, currency = 'USD'): string {
  return `\u2212${formatMoney(amount.trim().replace(/^-/, ''), currency)}`
}

/** Whole units of 10^-scale in a decimal string, or null when it is not one. */
function scaled(amount: string, scale: number): bigint | null {
  const match = DECIMAL.exec(amount.trim())
  if (!match) return null
  const [, minus, whole = '0', fraction = ''] = match
  const value = BigInt(whole + fraction.padEnd(scale, '0'))
  return minus ? -value : value
}

/**
 * `a - b` for two decimal strings, exactly (integers, never floats): for a figure the server implies but does
 * not send, such as the cart's subtotal after its discounts. Null when either is not a decimal number.
 */
export function subtractMoney(a: string, b: string): string | null {
  const fractionDigits = (s: string) => DECIMAL.exec(s.trim())?.[3]?.length ?? 0
  const scale = Math.max(fractionDigits(a), fractionDigits(b))
  const left = scaled(a, scale)
  const right = scaled(b, scale)
  if (left === null || right === null) return null
  const difference = left - right
  const digits = (difference < 0n ? -difference : difference).toString().padStart(scale + 1, '0')
  const sign = difference < 0n ? '-' : ''
  return scale === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

/** "Welcome 10% (WELCOME10)", or the name alone for an automatic promotion. */
export function discountName(discount: Discount): string {
  return discount.code ? `${discount.name} (${discount.code})` : discount.name
}

/**
 * What a promotion took off shipping, for its row: "Free shipping" when the charge it applied to came to nothing
 * (`free`), else "−$2.00 off shipping"; null when it took nothing off shipping.
 */
export function discountShippingText(discount: Discount, currency: string, free: boolean): string | null {
  if (isZeroMoney(discount.shipping)) return null
  return free ? 'Free shipping' : `${formatDiscount(discount.shipping, currency)} off shipping`
}
