//! Single-use codes: `promotions.codes.generate` makes up to 10,000 at once, `promotions.codes.list` pages
//! through a promotion's codes for the admin's CSV export.
//!
//! A generated code is the prefix and [`RANDOM_CODE_CHARS`] characters of [`CODE_ALPHABET`] drawn from the
//! operating system's CSPRNG (50 bits: guessing one of 10,000 codes takes about 10^11 tries). Codes go in
//! [`BATCH`] at a time, one multi-row `INSERT IGNORE` each: a code any promotion has already is skipped, and
//! as many new ones are drawn for the next statement, until the count is made. The whole generation is one
//! admin command, so a double submit makes the codes once, and the reply names only how many were made: the
//! codes themselves are read in pages, never in one NATS message.

use platform::{
    admin_commands::{Refused, carry_out, retrying},
    contracts::{
        admin::{AdminReply, Command, FieldError},
        promotions_admin::{
            CODE_ALPHABET, CodePage, GenerateCodes, GeneratedCodes, ListCodes, MAX_CODES_PAGE,
            MAX_GENERATED_CODES, MAX_PREFIX_CHARS, PROMOTIONS_CODES_GENERATE, PromotionState,
            RANDOM_CODE_CHARS,
        },
    },
};
use sqlx::{MySqlConnection, MySqlPool};
use uuid::Uuid;

use crate::{
    db::{Locking, promotions_admin as queries},
    promotions::MAX_CODE_CHARS,
};

/// Codes per `INSERT` statement.
pub const BATCH: usize = 1000;
/// Statements that insert nothing at all (every code drawn taken already) before the command gives up: with
/// 50 random bits per code this never happens by chance.
const FRUITLESS_ROUNDS: u32 = 5;

/// A prefix as codes are compared (trimmed, upper case), or why it cannot start a code.
pub fn normalise_prefix(text: &str) -> Result<String, String> {
    let prefix = text.trim().to_ascii_uppercase();
    if prefix.len() > MAX_PREFIX_CHARS
        || !prefix
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "must be at most {MAX_PREFIX_CHARS} letters, digits and -"
        ));
    }
    debug_assert!(prefix.len() + RANDOM_CODE_CHARS <= MAX_CODE_CHARS);
    Ok(prefix)
}

/// `prefix` and a fresh random part.
pub fn random_code(prefix: &str) -> String {
    // A version 4 UUID is 122 bits from the operating system's CSPRNG (getrandom); its lowest 62 bits are all
    // random (the version and variant bits sit above them), and 5 of them pick each of the 32 characters.
    let mut bits = Uuid::new_v4().as_u128();
    let mut code = String::with_capacity(prefix.len() + RANDOM_CODE_CHARS);
    code.push_str(prefix);
    for _ in 0..RANDOM_CODE_CHARS {
        code.push(char::from(CODE_ALPHABET[(bits & 31) as usize]));
        bits >>= 5;
    }
    code
}

/// The count and prefix asked for, or every bad field.
fn parse(body: &GenerateCodes) -> Result<(u32, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    if !(1..=MAX_GENERATED_CODES).contains(&body.count) {
        errors.push(FieldError::new(
            "count",
            format!("must be 1 to {MAX_GENERATED_CODES}"),
        ));
    }
    let prefix = normalise_prefix(&body.prefix)
        .map_err(|reason| errors.push(FieldError::new("prefix", reason)))
        .unwrap_or_default();
    if errors.is_empty() {
        Ok((body.count, prefix))
    } else {
        Err(errors)
    }
}

/// Generates the codes and answers how many the promotion has now.
pub async fn generate(
    pool: &MySqlPool,
    command: &Command<GenerateCodes>,
) -> Result<AdminReply<GeneratedCodes>, sqlx::Error> {
    let body = &command.body;
    let parsed = parse(body);
    retrying(|| {
        carry_out(pool, PROMOTIONS_CODES_GENERATE, command, async |conn| {
            let (count, prefix) = match &parsed {
                Ok(parsed) => parsed,
                Err(errors) => return Ok(Err(Refused::Invalid(errors.clone()))),
            };
            generate_in(conn, body.id, *count, prefix).await
        })
    })
    .await
}

/// The generation decided and written on the command's transaction `conn`: the promotion's row is locked
/// first, so it cannot end meanwhile. Generating codes changes nothing of the promotion's rules, so it needs
/// no version.
async fn generate_in(
    conn: &mut MySqlConnection,
    id: u64,
    count: u32,
    prefix: &str,
) -> Result<Result<GeneratedCodes, Refused>, sqlx::Error> {
    let Some(promotion) = queries::by_id(conn, id, Locking::ForUpdate).await? else {
        return Ok(Err(Refused::NotFound(format!("promotion {id}"))));
    };
    if promotion.state == PromotionState::Ended {
        return Ok(Err(Refused::conflict(
            "the promotion has ended: it gets no new codes",
        )));
    }
    let mut missing = count as usize;
    let mut fruitless = 0;
    while missing > 0 {
        let codes: Vec<String> = (0..missing.min(BATCH))
            .map(|_| random_code(prefix))
            .collect();
        let inserted = queries::insert_single_use_codes(conn, id, &codes).await? as usize;
        if inserted == 0 {
            fruitless += 1;
            if fruitless == FRUITLESS_ROUNDS {
                return Ok(Err(Refused::invalid(
                    "prefix",
                    "leaves no unused codes: choose another prefix",
                )));
            }
        }
        missing -= inserted.min(missing);
    }
    Ok(Ok(GeneratedCodes {
        id,
        generated: count,
        prefix: prefix.to_owned(),
        single_use_codes: queries::single_use_count(conn, id).await?,
    }))
}

/// A page of promotion `request.id`'s codes, in code order.
pub async fn list(
    pool: &MySqlPool,
    request: &ListCodes,
) -> Result<AdminReply<CodePage>, sqlx::Error> {
    let limit = request.limit.unwrap_or(MAX_CODES_PAGE);
    if !(1..=MAX_CODES_PAGE).contains(&limit) {
        return Ok(AdminReply::invalid(
            "limit",
            format!("must be 1 to {MAX_CODES_PAGE}"),
        ));
    }
    if request
        .after
        .as_ref()
        .is_some_and(|after| after.len() > MAX_CODE_CHARS)
    {
        return Ok(AdminReply::invalid(
            "after",
            "is not a code of this promotion",
        ));
    }
    let mut conn = pool.acquire().await?;
    if queries::by_id(&mut conn, request.id, Locking::None)
        .await?
        .is_none()
    {
        return Ok(AdminReply::NotFound {
            what: format!("promotion {}", request.id),
        });
    }
    let mut rows =
        queries::codes_page(&mut conn, request.id, request.after.as_deref(), limit + 1).await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|row| row.code.clone())
    } else {
        None
    };
    Ok(AdminReply::Ok(CodePage { rows, next }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_the_prefix_and_ten_unambiguous_characters_and_differ() {
        let codes: std::collections::HashSet<String> =
            (0..10_000).map(|_| random_code("SPRING-")).collect();
        assert_eq!(codes.len(), 10_000);
        for code in &codes {
            let random = code.strip_prefix("SPRING-").unwrap();
            assert_eq!(random.len(), RANDOM_CODE_CHARS);
            assert!(random.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
            assert_eq!(
                crate::promotions::normalise_code(code).as_deref(),
                Ok(code.as_str())
            );
        }
    }

    #[test]
    fn a_prefix_is_normalised_and_bounded_and_counts_are_bounded() {
        assert_eq!(normalise_prefix(" spring- ").unwrap(), "SPRING-");
        assert_eq!(normalise_prefix("").unwrap(), "");
        assert!(normalise_prefix("no spaces").is_err());
        assert!(normalise_prefix(&"A".repeat(MAX_PREFIX_CHARS + 1)).is_err());
        let body = |count| GenerateCodes {
            id: 1,
            count,
            prefix: "ü".to_owned(),
        };
        let errors = parse(&body(0)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["count", "prefix"]);
        assert!(parse(&body(MAX_GENERATED_CODES + 1)).is_err());
    }
}
