// Promotion codes as the shopper types them and as the checkout service refuses them. The browser checks the
// code's shape by the service's own rule (checkout/src/promotions: trimmed, 3 to 40 letters, digits and `-`,
// any case) so that a typo costs none of the few attempts a minute the service allows; whether the code exists
// and what it takes off only the service can say.
import { ApiError } from '../api/http'
import { cartErrorMessage } from '../stores/cart'

const CODE = /^[A-Za-z0-9-]{3,40}$/

/** Why `typed` cannot be a code, or undefined when it may be one. */
export function couponCodeProblem(typed: string): string | undefined {
  const code = typed.trim()
  if (!code) return 'Enter a promo code.'
  if (!CODE.test(code)) return 'A promo code is 3 to 40 letters, digits or dashes.'
  return undefined
}

/** A reason from the server ("this code has expired") as a sentence ("This code has expired."). */
export function asSentence(reason: string): string {
  const text = reason.trim()
  if (!text) return text
  const sentence = text.charAt(0).toUpperCase() + text.slice(1)
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`
}

/** The reason the service gave for a refused code (`errors[0].reason` of 422 coupon_refused, or of a 400). */
export function couponRefusal(err: ApiError): string | undefined {
  return (err.fieldErrors.find((e) => e.field === 'code') ?? err.fieldErrors[0])?.reason
}

/** What to tell the shopper, next to the code field, about a failed apply or remove. */
export function couponErrorMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.'
  if (err.status === 429) {
    const seconds = Math.max(1, err.retryAfter ?? 60)
    return `Too many attempts. Please try again in ${seconds} s.`
  }
  if (err.status === 422 || err.status === 400) {
    const reason = couponRefusal(err)
    if (err.status === 400 && reason && /^(is|must)\b/.test(reason)) return asSentence(`the code ${reason}`)
    if (reason) return asSentence(reason)
    return err.status === 422 ? 'This code can’t be used on this cart.' : 'A promo code is 3 to 40 letters, digits or dashes.'
  }
  if (err.status === 409 && err.code === 'checkout_in_progress')
    return 'This cart is being paid for (perhaps in another tab), so its code can’t change right now. Try again in a moment.'
  return cartErrorMessage(err)
}
