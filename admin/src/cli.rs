//! The admin's command line: `admin migrate` and `admin create-user`, which is how the first owner comes to
//! exist (there is no default account and no default password).

use std::io::{BufRead as _, IsTerminal as _};

use anyhow::Context as _;
use platform::config::CommonConfig;
use secrecy::SecretString;

use crate::{
    MIGRATOR, SERVICE,
    audit::Entry,
    domain::{Email, Role, check_new_password},
    staff::{self, StaffError},
};

/// Logging and a migrated pool.
async fn connect() -> anyhow::Result<sqlx::MySqlPool> {
    let config = CommonConfig::from_env(&SERVICE)?;
    platform::telemetry::init_logging(config.log_format);
    let pool = platform::runtime::connect_database(&config).await?;
    MIGRATOR.run(&pool).await.context("running migrations")?;
    Ok(pool)
}

/// `admin migrate`.
pub async fn migrate() -> anyhow::Result<()> {
    connect().await?;
    tracing::info!("admin schema migrated");
    Ok(())
}

/// `admin create-user --email E --role R [--if-no-owner | --or-set-password]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUser {
    pub email: String,
    pub role: String,
    /// Do nothing when an enabled owner exists already (`./dev up` makes the demo's owner this way).
    pub if_no_owner: bool,
    /// When the email belongs to a staff member already, set their password instead (ending their sessions;
    /// nothing changes when it is their password already). How a locked-out owner gets back in, and how
    /// `./dev up` keeps the demo owner's password in step with `.dev/admin-owner-password`.
    pub or_set_password: bool,
}

impl CreateUser {
    /// The command from its arguments, or `None` for a usage error.
    pub fn parse(args: &[&str]) -> Option<Self> {
        let mut command = Self {
            email: String::new(),
            role: String::new(),
            if_no_owner: false,
            or_set_password: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--email" => command.email = (*args.next()?).to_owned(),
                "--role" => command.role = (*args.next()?).to_owned(),
                "--if-no-owner" => command.if_no_owner = true,
                "--or-set-password" => command.or_set_password = true,
                _ => return None,
            }
        }
        let complete = !command.email.is_empty() && !command.role.is_empty();
        let contradictory = command.if_no_owner && command.or_set_password;
        (complete && !contradictory).then_some(command)
    }

    pub async fn run(self) -> anyhow::Result<()> {
        let email =
            Email::parse(&self.email).map_err(|reason| anyhow::anyhow!("--email {reason}"))?;
        let role: Role = self
            .role
            .parse()
            .map_err(|reason| anyhow::anyhow!("--role {reason}"))?;
        let password = read_password()?;
        check_new_password(&password, &email)
            .map_err(|reason| anyhow::anyhow!("the password {reason}"))?;
        let pool = connect().await?;
        if self.if_no_owner && staff::any_owner(&pool).await? {
            tracing::info!("an owner exists already; nobody was added");
            return Ok(());
        }
        if self.or_set_password
            && let Some((id, hash)) = staff::password_of(&pool, &email).await?
        {
            return set_password(&pool, id, hash, password).await;
        }
        match staff::create(
            &pool,
            &email,
            role,
            password,
            Entry::command_line("staff.create"),
        )
        .await
        {
            Ok(member) => {
                tracing::info!(id = member.id, email = %member.email, %role, "staff member added");
                Ok(())
            }
            Err(StaffError::EmailTaken) => {
                anyhow::bail!("a staff member with the email {email} exists already")
            }
            Err(err) => Err(err.into()),
        }
    }
}

/// `--or-set-password` for member `id`, whose password hash is `hash`: their password becomes `password`
/// unless it is already.
async fn set_password(
    pool: &sqlx::MySqlPool,
    id: u64,
    hash: String,
    password: SecretString,
) -> anyhow::Result<()> {
    if platform::password::verify(password.clone(), Some(hash)).await? {
        tracing::info!(id, "the staff member has this password already");
        return Ok(());
    }
    staff::set_password(
        pool,
        id,
        None,
        password,
        Entry::command_line("staff.password_reset"),
    )
    .await?;
    tracing::info!(id, "password set; their sessions ended");
    Ok(())
}

/// The password from a prompt without echo on a terminal, else the first line of stdin.
fn read_password() -> anyhow::Result<SecretString> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
        let again = rpassword::prompt_password("The same password again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        return Ok(SecretString::from(first));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!password.is_empty(), "no password on stdin");
    Ok(SecretString::from(password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_user_takes_an_email_and_a_role_and_never_a_password() {
        assert_eq!(
            CreateUser::parse(&["--email", "a@shop.test", "--role", "owner"]),
            Some(CreateUser {
                email: "a@shop.test".to_owned(),
                role: "owner".to_owned(),
                if_no_owner: false,
                or_set_password: false,
            })
        );
        assert!(
            CreateUser::parse(&["--email", "a@shop.test", "--role", "owner", "--if-no-owner"])
                .unwrap()
                .if_no_owner
        );
        assert!(
            CreateUser::parse(&[
                "--email",
                "a@shop.test",
                "--role",
                "owner",
                "--or-set-password"
            ])
            .unwrap()
            .or_set_password
        );
        let both = [
            "--email",
            "a@shop.test",
            "--role",
            "owner",
            "--if-no-owner",
            "--or-set-password",
        ];
        assert_eq!(
            CreateUser::parse(&both),
            None,
            "skip or overwrite: not both"
        );
        assert_eq!(CreateUser::parse(&["--email", "a@shop.test"]), None);
        assert_eq!(
            CreateUser::parse(&[
                "--email",
                "a@shop.test",
                "--role",
                "owner",
                "--password",
                "x"
            ]),
            None
        );
    }
}
