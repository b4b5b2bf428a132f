use admin::{MIGRATOR, SERVICE, cli, config::Config};

const USAGE: &str = "usage: admin [serve]
       admin migrate                                   create or update the admin schema
       admin create-user --email E --role owner|staff|viewer [--if-no-owner | --or-set-password]
                                                       add a staff member; the password is read from stdin
                                                       (prompted for on a terminal), never an argument;
                                                       --or-set-password sets it for an existing member";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => {
            // Every setting is read and checked before anything connects: a typo fails at once, naming the variable.
            let config = Config::from_env()?;
            platform::run(SERVICE, &MIGRATOR, async move |runtime| {
                admin::start(runtime, config).await
            })
            .await
        }
        ["migrate"] => cli::migrate().await,
        ["create-user", rest @ ..] => match cli::CreateUser::parse(rest) {
            Some(command) => command.run().await,
            None => usage(),
        },
        _ => usage(),
    }
}

fn usage() -> anyhow::Result<()> {
    eprintln!("{USAGE}");
    std::process::exit(2);
}
