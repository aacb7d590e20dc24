use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (mimalloc.h; 15 in v2 and v3 alike,
/// which libmimalloc-sys does not name).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    use std::io::IsTerminal as _;
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,marquee=info")),
        )
        .with_writer(std::io::stderr)
        // Colours on a terminal only: a log written to a file or a pipe (a service's journal)
        // stays plain text.
        .with_ansi(marquee::cli::log_colours(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        ))
        .init();
    let cli = marquee::cli::Cli::parse();
    if cli.serves() {
        // A long-running bot: freed pages go back to the system at once, not after a delay
        // that an idle thread never reaches (~60 MiB of its peak at 100k reviews, the
        // transient of decoding an index). One-shot commands keep the faster default.
        // SAFETY: sets one of mimalloc's options, which it reads when it next purges.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
        // SQLite allocates with C's malloc. glibc raises its mmap threshold each time a large
        // block is freed, so the next saved index read (14 MB at 100k reviews) lands in the
        // heap and stays resident there (~25 MiB of the peak); a fixed threshold keeps large
        // blocks mapped and returned whole.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt only sets a tunable of glibc's allocator.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        }
    }
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
