//! The backup binary: `backup create | list | verify <name> | restore <name> [--replace]`.

use platform::config::{LogFormat, var};

const USAGE: &str = "usage: backup create                     dump the schemas and snapshot the streams, store the backup
       backup list                       the stored backups, oldest first
       backup verify <name>              fetch a backup and check every file against its manifest
       backup restore <name> [--replace] restore a backup (services stopped; --replace overwrites data)";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if !matches!(
        args.as_slice(),
        ["create" | "list"] | ["verify", _] | ["restore", _] | ["restore", _, "--replace"]
    ) {
        eprintln!("{USAGE}");
        std::process::exit(2);
    }
    platform::telemetry::init_logging(var("LOG_FORMAT", LogFormat::Pretty)?);
    let config = backup::Config::from_env()?;
    let store = config.store().await?;
    match args.as_slice() {
        ["create"] => {
            let nats = config.connect_nats().await?;
            let manifest = backup::create(&config, &store, &nats).await?;
            let bytes: u64 = manifest.files.iter().map(|file| file.bytes).sum();
            tracing::info!(
                backup = %manifest.name,
                location = %store.location(&manifest.name),
                bytes,
                streams = manifest.streams.len(),
                "backup complete"
            );
        }
        ["list"] => {
            for name in store.list().await? {
                println_name(&name);
            }
        }
        ["verify", name] => {
            let manifest = backup::verify(&config, &store, name).await?;
            tracing::info!(backup = %manifest.name, files = manifest.files.len(), "backup verified");
        }
        ["restore", name, rest @ ..] => {
            let nats = config.connect_nats().await?;
            let replace = rest == ["--replace"];
            let manifest = backup::restore(&config, &store, &nats, name, replace).await?;
            tracing::info!(
                backup = %manifest.name,
                schemas = ?manifest.schemas,
                streams = manifest.streams.len(),
                "restore complete: start the services"
            );
        }
        _ => unreachable!("checked above"),
    }
    Ok(())
}

/// `backup list` prints names alone on stdout, for scripts (`backup restore "$(backup list | tail -1)"`).
#[allow(clippy::print_stdout)]
fn println_name(name: &str) {
    println!("{name}");
}
