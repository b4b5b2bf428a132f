//! The MariaDB side: one consistent, gzipped `mariadb-dump` of every service schema, and loading it back with
//! the `mariadb` client.
//!
//! The dump is one transaction over all the schemas (`--single-transaction`, InnoDB), so the schemas agree
//! with each other as of one instant, without locking the shop. It starts each schema with `DROP DATABASE IF
//! EXISTS` and `CREATE DATABASE`: loading it replaces the schemas whole. Users and their grants are not in it:
//! the MariaDB image's init script creates them from the secrets (`infra/mariadb-init.sh`).
//!
//! The password goes to the client programs in `MYSQL_PWD`, never on their command line (where `ps` shows it).

use std::{
    io::{Read as _, Write as _},
    path::Path,
    process::{Command, Stdio},
};

use anyhow::{Context as _, bail};
use flate2::{Compression, read::GzDecoder, write::GzEncoder};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};
use sqlx::{Connection as _, MySqlConnection};

/// How to reach MariaDB as a user allowed to dump and create the schemas (root in compose).
#[derive(Debug, Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<SecretString>,
    /// The `mariadb-dump` program (`MARIADB_DUMP`, default `mariadb-dump`).
    pub dump_program: String,
    /// The `mariadb` client program (`MARIADB_CLIENT`, default `mariadb`).
    pub client_program: String,
}

impl Server {
    /// From a `mysql://user:password@host:port` URL (no database: the schemas are listed separately).
    pub fn from_url(url: &SecretString) -> anyhow::Result<Self> {
        // The URL holds the password: errors name the variable, never its value.
        let url = url::Url::parse(url.expose_secret())
            .map_err(|err| anyhow::anyhow!("BACKUP_DATABASE_URL is not a URL: {err}"))?;
        if url.scheme() != "mysql" && url.scheme() != "mariadb" {
            bail!("BACKUP_DATABASE_URL must start with mysql://");
        }
        let decode = |part: &str| {
            url::form_urlencoded::parse(format!("x={part}").as_bytes())
                .next()
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default()
        };
        Ok(Self {
            host: url.host_str().unwrap_or("127.0.0.1").to_owned(),
            port: url.port().unwrap_or(3306),
            user: match url.username() {
                "" => "root".to_owned(),
                user => decode(user),
            },
            password: url
                .password()
                .map(|password| SecretString::from(decode(password))),
            dump_program: "mariadb-dump".to_owned(),
            client_program: "mariadb".to_owned(),
        })
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .arg(format!("--host={}", self.host))
            .arg(format!("--port={}", self.port))
            .arg(format!("--user={}", self.user))
            .arg("--protocol=tcp")
            .arg("--default-character-set=utf8mb4")
            .env_remove("MYSQL_PWD");
        if let Some(password) = &self.password {
            command.env("MYSQL_PWD", password.expose_secret());
        }
        command
    }

    async fn connect(&self) -> anyhow::Result<MySqlConnection> {
        let mut options = sqlx::mysql::MySqlConnectOptions::new()
            .host(&self.host)
            .port(self.port)
            .username(&self.user);
        if let Some(password) = &self.password {
            options = options.password(password.expose_secret());
        }
        MySqlConnection::connect_with(&options)
            .await
            .with_context(|| {
                format!(
                    "connecting to MariaDB at {}:{} as {}",
                    self.host, self.port, self.user
                )
            })
    }

    /// Each of `schemas` that exists and holds tables, with its table count.
    pub async fn schemas_in_use(&self, schemas: &[String]) -> anyhow::Result<Vec<(String, i64)>> {
        let mut connection = self.connect().await?;
        let mut in_use = Vec::new();
        for schema in schemas {
            let tables: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?",
            )
            .bind(schema)
            .fetch_one(&mut connection)
            .await?;
            if tables > 0 {
                in_use.push((schema.clone(), tables));
            }
        }
        Ok(in_use)
    }

    /// Dumps `schemas` into `file` (gzip); returns the file's size and SHA-256. Blocking: run it on the
    /// blocking pool.
    pub fn dump(&self, schemas: &[String], file: &Path) -> anyhow::Result<(u64, String)> {
        let mut child = self
            .command(&self.dump_program)
            .args([
                "--single-transaction",
                "--quick",
                "--add-drop-database",
                "--triggers",
                "--hex-blob",
                "--databases",
            ])
            .args(schemas)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (install the MariaDB client)",
                    self.dump_program
                )
            })?;
        let mut stdout = child.stdout.take().expect("piped stdout");
        let output = HashingWriter::new(std::fs::File::create(file)?);
        let mut gzip = GzEncoder::new(output, Compression::default());
        let copied = std::io::copy(&mut stdout, &mut gzip);
        let finished = child.wait_with_output()?;
        if !finished.status.success() {
            bail!(
                "{} failed ({}): {}",
                self.dump_program,
                finished.status,
                String::from_utf8_lossy(&finished.stderr).trim()
            );
        }
        copied.context("reading the dump")?;
        let output = gzip.finish()?;
        output.inner.sync_all()?;
        Ok((output.bytes, output.digest()))
    }

    /// Loads a dump written by [`Server::dump`]. Blocking: run it on the blocking pool.
    pub fn load(&self, file: &Path) -> anyhow::Result<()> {
        let mut child = self
            .command(&self.client_program)
            .arg("--batch")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (install the MariaDB client)",
                    self.client_program
                )
            })?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let mut dump = GzDecoder::new(std::fs::File::open(file)?);
        let copied = std::io::copy(&mut dump, &mut stdin);
        drop(stdin);
        let finished = child.wait_with_output()?;
        if !finished.status.success() {
            bail!(
                "{} failed loading the dump ({}): {}",
                self.client_program,
                finished.status,
                String::from_utf8_lossy(&finished.stderr).trim()
            );
        }
        copied.context("reading the dump")?;
        Ok(())
    }
}

/// A file writer that counts and hashes what passes through.
pub struct HashingWriter<W> {
    pub inner: W,
    pub bytes: u64,
    hasher: Sha256,
}

impl<W> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            bytes: 0,
            hasher: Sha256::new(),
        }
    }

    /// The SHA-256 of everything written, in hex.
    pub fn digest(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.hasher.clone().finalize())
    }
}

impl<W: std::io::Write> std::io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Size and SHA-256 of a file. Blocking.
pub fn file_digest(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = HashingWriter::new(std::io::sink());
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.write_all(&buffer[..read])?;
    }
    Ok((hasher.bytes, hasher.digest()))
}
