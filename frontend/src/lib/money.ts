// Money arrives as a decimal string ("49.99", "0", "1234.5"). It is formatted with string operations only:
// parsing into a float would turn 0.1 + 0.2 style errors into wrong prices, and the server does all arithmetic.

const SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', CAD: 'CA$', AUD: 'A$' }

/** A decimal amount as the APIs send it: sign, whole part, fraction. */
export const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/

/** Adds one to a string of digits ("199" -> "200"), for rounding. */
function incrementDigits(digits: string): string {
  const out = digits.split('')
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === '9') {
      out[i] = '0'
    } else {
      out[i] = String(Number(out[i]) + 1)
      return out.join('')
    }
  }
  return `1${out.join('')}`
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

export interface MoneyFormat {
  /** Drop ".00" from whole amounts (facet labels like "$25 – $50"). */
  dropZeroCents?: boolean
}

/**
 * "1234.5" + "USD" -> "$1,234.50". Rounds half up to cents when the string has more digits. Anything that is
 * not a decimal number is shown as given, so a surprising server value is visible instead of becoming "NaN".
 */
export function formatMoney(amount: string, currency = 'USD', options: MoneyFormat = {}): string {
  const match = DECIMAL.exec(amount.trim())
  if (!match) return amount
  const [, minus, rawWhole = '0', rawFraction = ''] = match
  let whole = rawWhole.replace(/^0+(?=\d)/, '')
  let cents = (rawFraction + '00').slice(0, 2)
  if (rawFraction.length > 2 && Number(rawFraction[2]) >= 5) {
    const rounded = incrementDigits(whole + cents)
    whole = rounded.slice(0, -2) || '0'
    cents = rounded.slice(-2)
  }
  const isZero = /^0+$/.test(whole + cents)
  const sign = minus && !isZero ? '-' : ''
  const symbol = SYMBOLS[currency]
  const number = options.dropZeroCents && cents === '00' ? groupThousands(whole) : `${groupThousands(whole)}.${cents}`
  return symbol ? `${sign}${symbol}${number}` : `${sign}${number} ${currency}`
}

/** A price-range facet: "Under $25", "$25 – $50", "$1,000 and up". */
export function formatPriceRange(min: string, max: string | null, currency = 'USD'): string {
  const format = (value: string) => formatMoney(value, currency, { dropZeroCents: true })
  if (max === null) return `${format(min)} and up`
  if (/^0+(\.0+)?$/.test(min)) return `Under ${format(max)}`
  return `${format(min)} – ${format(max)}`
}
