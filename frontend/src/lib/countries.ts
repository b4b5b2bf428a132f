// The countries the address forms offer (checkout's, and the account's saved addresses), by ISO 3166-1 alpha-2
// code. Any other code the server sends back (an address saved elsewhere) is offered too, under its English name,
// so a form never shows a country it cannot select.
import { countryName } from './stock'

export const COUNTRIES: ReadonlyArray<readonly [string, string]> = [
  ['US', 'United States'], ['CA', 'Canada'], ['GB', 'United Kingdom'], ['IE', 'Ireland'], ['AU', 'Australia'],
  ['NZ', 'New Zealand'], ['DE', 'Germany'], ['FR', 'France'], ['NL', 'Netherlands'], ['BE', 'Belgium'],
  ['ES', 'Spain'], ['IT', 'Italy'], ['PT', 'Portugal'], ['AT', 'Austria'], ['CH', 'Switzerland'],
  ['SE', 'Sweden'], ['NO', 'Norway'], ['DK', 'Denmark'], ['FI', 'Finland'], ['PL', 'Poland'],
  ['JP', 'Japan'], ['SG', 'Singapore'], ['MX', 'Mexico'], ['BR', 'Brazil'], ['IN', 'India'],
]

/** The options of a country select whose value is `current`. */
export function countryOptions(current: string): ReadonlyArray<readonly [string, string]> {
  const code = current.trim().toUpperCase()
  if (!/^[A-Z]{2}$/.test(code) || COUNTRIES.some(([known]) => known === code)) return COUNTRIES
  return [...COUNTRIES, [code, countryName(code)]]
}
