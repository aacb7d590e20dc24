use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,marquee=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = marquee::cli::Cli::parse();
    // The bot serves many interactions at once: worker threads. A one-shot command does one
    // thing at a time: on one thread, no wake-ups cross threads but SQLite's own.
    let mut runtime = if cli.serves() {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    match runtime.enable_all().build() {
        Ok(runtime) => runtime.block_on(marquee::cli::run(cli)),
        Err(err) => {
            eprintln!("marquee: cannot start the async runtime: {err}");
            ExitCode::FAILURE
        }
    }
}
