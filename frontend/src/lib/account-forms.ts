// The account forms' checks, mirroring the accounts service (accounts/src/domain.rs and platform's password
// Rules::check) with its field names and reasons, so a shopper sees the same message whichever side caught the
// mistake. One rule stays with the server: the list of ~100,000 common passwords is not shipped to browsers.
import { ApiError } from '../api/http'
import { emailReason } from './validation'

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128
export const NAME_MAX = 100

/** The password rules as shown beside every new-password field, before anything is typed. */
export const PASSWORD_RULES = `${PASSWORD_MIN} to ${PASSWORD_MAX} characters. Not a common password, and not your email address.`

export type Errors<F extends string> = Partial<Record<F, string>>

// Rust's char::is_control: the C0 and C1 control characters.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** The accounts service's email rule; its reason, not checkout's. */
export function accountEmailReason(value: string): string | undefined {
  const reason = emailReason(value)
  if (!reason || reason === 'is required') return reason
  return 'must be an email address like ann@example.com'
}

export function nameReason(value: string): string | undefined {
  const name = value.trim()
  if (!name) return 'is required'
  if ([...name].length > NAME_MAX) return `must be at most ${NAME_MAX} characters`
  if (CONTROL.test(name)) return 'must not contain control characters'
  return undefined
}

/**
 * Why a new password cannot be used; `email` is the account's address when the form knows it. Characters are
 * counted as the server counts them (Unicode scalar values), and the password is never trimmed.
 */
export function newPasswordReason(password: string, email = ''): string | undefined {
  const chars = [...password]
  if (chars.length === 0) return 'is required'
  if (chars.length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`
  if (chars.length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`
  const address = email.trim().toLowerCase()
  if (address && !emailReason(address)) {
    const lower = password.trim().toLowerCase()
    if (lower.includes(address)) return 'must not be or contain the email address'
    const localPart = address.split('@')[0] ?? ''
    if ([...localPart].length >= 4 && lower === localPart) return 'must not be the name in the email address'
  }
  if (chars.every((c) => c === chars[0])) return 'must not be one character repeated'
  return undefined
}

export type SignUpField = 'name' | 'email' | 'password'

export function validateSignUp(form: Record<SignUpField, string>): Errors<SignUpField> {
  return defined({
    name: nameReason(form.name),
    email: accountEmailReason(form.email),
    password: newPasswordReason(form.password, form.email),
  })
}

export type SignInField = 'email' | 'password'

/** Sign-in checks only that something was typed: the password rules are for new passwords. */
export function validateSignIn(form: Record<SignInField, string>): Errors<SignInField> {
  return defined({
    email: accountEmailReason(form.email),
    password: form.password ? undefined : 'is required',
  })
}

function defined<F extends string>(reasons: Record<F, string | undefined>): Errors<F> {
  const errors: Errors<F> = {}
  for (const [field, reason] of Object.entries(reasons) as Array<[F, string | undefined]>) {
    if (reason) errors[field] = reason
  }
  return errors
}

/**
 * The server's field errors for the form's own fields (server name → form field); any other field's is
 * returned as text for the form's message.
 */
export function serverFieldErrors<F extends string>(
  err: ApiError,
  fields: Record<string, F>,
): { errors: Errors<F>; unplaced: string[] } {
  const errors: Errors<F> = {}
  const unplaced: string[] = []
  for (const { field, reason } of err.fieldErrors) {
    const input = fields[field]
    if (input) errors[input] = reason
    else unplaced.push(`${field}: ${reason}`)
  }
  return { errors, unplaced }
}

/** What to say about a failure no field explains: no network, an outage, too many requests. */
export function accountErrorMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.'
  if (err.status === 0) return 'We can’t reach the shop. Check your connection and try again.'
  if (err.status === 429) return tooManyAttempts(err)
  if (err.status >= 500) return 'Accounts are briefly unavailable. Please try again in a moment.'
  return err.problem.detail ?? 'Something went wrong. Please try again.'
}

export function tooManyAttempts(err: ApiError): string {
  const seconds = Math.max(1, err.retryAfter ?? 60)
  return `Too many attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`
}

/**
 * Where to go after signing in: only a path of this site (one `/`, then not another `/` or `\`, which browsers
 * read as another host: `//evil.example`, `/\evil.example`), with its query and fragment. Else null.
 */
export function safeNext(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\/(?![/\\])/.test(value) || CONTROL.test(value)) return null
  try {
    const base = window.location.origin
    const url = new URL(value, base)
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : null
  } catch {
    return null
  }
}
