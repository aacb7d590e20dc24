use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,marquee=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    marquee::cli::run(marquee::cli::Cli::parse()).await
}
