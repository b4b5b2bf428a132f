// What the shopper typed into the checkout form, kept for the life of the tab (in memory only: it holds their
// address), so one sent back to the cart by a price change returns to a filled-in form.
import { reactive } from 'vue'
import type { CheckoutForm } from './validation'

const EMPTY: CheckoutForm = {
  email: '',
  customer_name: '',
  line1: '',
  line2: '',
  city: '',
  region: '',
  postal_code: '',
  country: 'US',
  shipping_method: 'standard',
  card_token: 'tok_visa',
}

export const checkoutDraft = reactive<CheckoutForm>({ ...EMPTY })

export function resetCheckoutDraft(): void {
  Object.assign(checkoutDraft, EMPTY)
}
