// Choosing a variant of a product, one option at a time. No Vue here: the picker renders what these decide.
//
// Options are chosen in order (size, then colour, …), as shops usually present them: the values offered for an
// option are those some variant has together with the values already chosen for the options before it. A value
// no such variant has is shown disabled ("does not exist"); one whose variants are all sold out is shown
// disabled too, and says so. Choosing a value keeps the later choices when that combination exists, and
// otherwise moves to the first available variant that has the earlier choices.
import type { ProductDetail } from '../api/types'

export type Variant = ProductDetail['variants'][number]

export interface OptionValue {
  value: string
  /** Some variant has this value with the earlier choices. */
  exists: boolean
  /** One of those can be bought now. */
  inStock: boolean
  chosen: boolean
}

export interface OptionChoice {
  name: string
  values: OptionValue[]
}

/** The distinct values of option `index`, in the order the variants first give them. */
export function valuesOf(variants: readonly Variant[], index: number): string[] {
  const values: string[] = []
  for (const variant of variants) {
    const value = variant.option_values[index]
    if (value !== undefined && !values.includes(value)) values.push(value)
  }
  return values
}

const startsWith = (variant: Variant, prefix: readonly string[]) =>
  prefix.every((value, i) => variant.option_values[i] === value)

/**
 * The variant a product page opens on: the one `sku` names when it is there, else the first in stock, else the
 * first (a plain product's only one). `undefined` only for a product without variants.
 */
export function initialVariant(variants: readonly Variant[], sku?: string | null): Variant | undefined {
  return variants.find((v) => v.sku === sku) ?? variants.find((v) => v.in_stock) ?? variants[0]
}

/** Each option with its values as the picker shows them, for the chosen variant. */
export function optionChoices(
  optionNames: readonly string[],
  variants: readonly Variant[],
  chosen: Variant | undefined,
): OptionChoice[] {
  const chosenValues = chosen?.option_values ?? []
  return optionNames.map((name, index) => {
    const earlier = chosenValues.slice(0, index)
    return {
      name,
      values: valuesOf(variants, index).map((value) => {
        const matching = variants.filter((v) => startsWith(v, [...earlier, value]))
        return {
          value,
          exists: matching.length > 0,
          inStock: matching.some((v) => v.in_stock),
          chosen: chosenValues[index] === value,
        }
      }),
    }
  })
}

/**
 * The variant chosen after picking `value` for option `index` while `current` was chosen: the same later values
 * when that variant exists (in stock first), else the first one in stock with the earlier choices and this
 * value, else the first with them. `undefined` when no variant has them.
 */
export function choose(
  variants: readonly Variant[],
  current: Variant | undefined,
  index: number,
  value: string,
): Variant | undefined {
  const prefix = [...(current?.option_values.slice(0, index) ?? []), value]
  const candidates = variants.filter((v) => startsWith(v, prefix))
  const wanted = current ? [...prefix, ...current.option_values.slice(index + 1)] : prefix
  const exact = candidates.find((v) => startsWith(v, wanted))
  if (exact?.in_stock) return exact
  return candidates.find((v) => v.in_stock) ?? exact ?? candidates[0]
}

/** "42 / Blue": how a variant is named after its product. */
export function variantLabel(variant: Variant | undefined): string {
  return variant?.option_values.join(' / ') ?? ''
}
