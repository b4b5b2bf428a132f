// Checkout form validation that mirrors the checkout service's own rules (checkout/src/domain.rs: parse_email,
// parse_text, parse_address, ShippingMethod, TestCard) with the same field names and reasons, so a shopper sees
// the same message whether the browser or the server caught the mistake. An address saved to an account is
// checked by the same rules (the accounts service takes the limits of checkout's address, so that a saved address
// can always be ordered to).
import type { CardToken, ShippingMethod } from '../api/types'

export interface CheckoutForm {
  email: string
  customer_name: string
  line1: string
  line2: string
  city: string
  region: string
  postal_code: string
  country: string
  shipping_method: ShippingMethod | ''
  card_token: CardToken | ''
}

/** The server's field names (as in 400 problems) for each form input. */
export const SERVER_FIELD: Record<keyof CheckoutForm, string> = {
  email: 'email',
  customer_name: 'customer_name',
  line1: 'shipping_address.line1',
  line2: 'shipping_address.line2',
  city: 'shipping_address.city',
  region: 'shipping_address.region',
  postal_code: 'shipping_address.postal_code',
  country: 'shipping_address.country',
  shipping_method: 'shipping_method',
  card_token: 'card_token',
}

export type FormErrors = Partial<Record<keyof CheckoutForm, string>>

// Rust's char::is_control: the C0 and C1 control characters.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** A line of text: trimmed, at most `max` characters (Unicode scalar values, as Rust counts), no control characters. */
export function textReason(value: string, max: number, required: boolean): string | undefined {
  const trimmed = value.trim()
  if (!trimmed) return required ? 'is required' : undefined
  if ([...trimmed].length > max) return `at most ${max} characters`
  if (CONTROL.test(trimmed)) return 'must not contain control characters'
  return undefined
}

/** One `@`, something on both sides, a dot inside the domain, no spaces, at most 254 characters. */
export function emailReason(value: string): string | undefined {
  const email = value.trim()
  if (!email) return 'is required'
  const at = email.indexOf('@')
  const local = email.slice(0, at)
  const domain = email.slice(at + 1)
  const valid =
    email.length <= 254 &&
    !/\s/.test(email) &&
    at > 0 &&
    local.length > 0 &&
    domain.includes('.') &&
    !domain.startsWith('.') &&
    !domain.endsWith('.') &&
    !domain.includes('@')
  return valid ? undefined : 'not a valid email address'
}

/** Two letters (ISO 3166-1 alpha-2), in either case. */
export function countryReason(value: string): string | undefined {
  const country = value.trim()
  if (!country) return 'is required'
  if (!/^[A-Za-z]{2}$/.test(country)) return 'an ISO 3166-1 alpha-2 code like US'
  return undefined
}

/** An address kept in the account, under the accounts service's field names. */
export interface AddressForm {
  name: string
  line1: string
  line2: string
  city: string
  region: string
  postal_code: string
  country: string
}

export type AddressErrors = Partial<Record<keyof AddressForm, string>>

export function validateAddress(form: AddressForm): AddressErrors {
  const reasons: AddressErrors = {
    name: textReason(form.name, 200, true),
    line1: textReason(form.line1, 200, true),
    line2: textReason(form.line2, 200, false),
    city: textReason(form.city, 100, true),
    region: textReason(form.region, 100, false),
    postal_code: textReason(form.postal_code, 20, true),
    country: countryReason(form.country),
  }
  const errors: AddressErrors = {}
  for (const [field, reason] of Object.entries(reasons) as Array<[keyof AddressForm, string | undefined]>) {
    if (reason) errors[field] = reason
  }
  return errors
}

export function validateCheckout(form: CheckoutForm): FormErrors {
  const errors: FormErrors = {}
  const set = (field: keyof CheckoutForm, reason: string | undefined) => {
    if (reason) errors[field] = reason
  }
  set('email', emailReason(form.email))
  set('customer_name', textReason(form.customer_name, 200, true))
  set('line1', textReason(form.line1, 200, true))
  set('line2', textReason(form.line2, 200, false))
  set('city', textReason(form.city, 100, true))
  set('region', textReason(form.region, 100, false))
  set('postal_code', textReason(form.postal_code, 20, true))
  set('country', countryReason(form.country))
  if (form.shipping_method !== 'standard' && form.shipping_method !== 'express') {
    set('shipping_method', 'choose standard or express')
  }
  if (!['tok_visa', 'tok_declined', 'tok_provider_outage'].includes(form.card_token)) {
    set('card_token', 'choose a test card')
  }
  return errors
}

/** The form input a server field error belongs to, if any ("shipping_address.city" -> "city"). */
export function formFieldFor(serverField: string): keyof CheckoutForm | undefined {
  const entry = Object.entries(SERVER_FIELD).find(([, name]) => name === serverField)
  return entry?.[0] as keyof CheckoutForm | undefined
}

/** "is required" under "Email" reads "Email is required."; "at most 20 characters" becomes a sentence. */
export function fieldMessage(label: string, reason: string): string {
  const sentence = /^(is|must|are|was)\b/.test(reason) ? `${label} ${reason}` : reason.charAt(0).toUpperCase() + reason.slice(1)
  return sentence.endsWith('.') ? sentence : `${sentence}.`
}
