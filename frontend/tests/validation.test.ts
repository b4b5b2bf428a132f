import { describe, expect, it } from 'vitest'
import {
  type CheckoutForm,
  emailReason,
  fieldMessage,
  formFieldFor,
  validateAddress,
  validateCheckout,
} from '../src/lib/validation'

const valid: CheckoutForm = {
  email: 'ada@example.com',
  customer_name: 'Ada Lovelace',
  line1: '1 Main St',
  line2: '',
  city: 'Springfield',
  region: '',
  postal_code: '12345',
  country: 'US',
  shipping_method: 'standard',
  card_token: 'tok_visa',
}

describe('checkout form validation (mirrors checkout/src/domain.rs)', () => {
  it('accepts a complete form', () => {
    expect(validateCheckout(valid)).toEqual({})
  })

  it('requires the same fields as the server, with its reasons', () => {
    const errors = validateCheckout({ ...valid, email: ' ', customer_name: '', line1: '', city: '  ', postal_code: '', country: '' })
    expect(errors).toEqual({
      email: 'is required',
      customer_name: 'is required',
      line1: 'is required',
      city: 'is required',
      postal_code: 'is required',
      country: 'is required',
    })
  })

  it('leaves line2 and region optional but still bounded', () => {
    expect(validateCheckout({ ...valid, line2: 'x'.repeat(201) })).toEqual({ line2: 'at most 200 characters' })
    expect(validateCheckout({ ...valid, region: 'x'.repeat(101) })).toEqual({ region: 'at most 100 characters' })
  })

  it('counts characters, not UTF-16 units, like Rust chars().count()', () => {
    expect(validateCheckout({ ...valid, postal_code: '😀'.repeat(20) })).toEqual({})
    expect(validateCheckout({ ...valid, postal_code: '😀'.repeat(21) })).toEqual({ postal_code: 'at most 20 characters' })
  })

  it('refuses control characters', () => {
    expect(validateCheckout({ ...valid, city: 'Spring\u0007field' })).toEqual({ city: 'must not contain control characters' })
  })

  it('wants a two-letter country code', () => {
    expect(validateCheckout({ ...valid, country: 'USA' }).country).toBe('an ISO 3166-1 alpha-2 code like US')
    expect(validateCheckout({ ...valid, country: 'de' })).toEqual({})
  })

  it('checks shipping method and card', () => {
    const errors = validateCheckout({ ...valid, shipping_method: '', card_token: '' })
    expect(Object.keys(errors).sort()).toEqual(['card_token', 'shipping_method'])
  })

  it.each([
    ['a@b.co', undefined],
    ['  a@b.co  ', undefined],
    ['no-at.example.com', 'not a valid email address'],
    ['@example.com', 'not a valid email address'],
    ['a@example', 'not a valid email address'],
    ['a@.example.com', 'not a valid email address'],
    ['a@example.com.', 'not a valid email address'],
    ['a@b@example.com', 'not a valid email address'],
    ['a b@example.com', 'not a valid email address'],
  ])('email %j -> %s', (email, reason) => {
    expect(emailReason(email)).toBe(reason)
  })

  it('maps server field names to inputs', () => {
    expect(formFieldFor('shipping_address.postal_code')).toBe('postal_code')
    expect(formFieldFor('email')).toBe('email')
    expect(formFieldFor('cart_token')).toBeUndefined()
  })

  it('turns reasons into sentences', () => {
    expect(fieldMessage('Email', 'is required')).toBe('Email is required.')
    expect(fieldMessage('Postal code', 'at most 20 characters')).toBe('At most 20 characters.')
  })
})

describe('a saved address (the accounts service takes checkout’s rules)', () => {
  const address = { name: 'Ada Lovelace', line1: '1 Main St', line2: '', city: 'Springfield', region: '', postal_code: '12345', country: 'us' }

  it('accepts what checkout accepts, in its own field names', () => {
    expect(validateAddress(address)).toEqual({})
  })

  it('gives checkout’s reasons for the same mistakes', () => {
    expect(
      validateAddress({ ...address, name: ' ', line2: 'x'.repeat(201), city: '', region: 'r'.repeat(101), postal_code: '1\u0007', country: 'USA' }),
    ).toEqual({
      name: 'is required',
      line2: 'at most 200 characters',
      city: 'is required',
      region: 'at most 100 characters',
      postal_code: 'must not contain control characters',
      country: 'an ISO 3166-1 alpha-2 code like US',
    })
  })
})
