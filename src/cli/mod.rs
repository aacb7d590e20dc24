//! The command line: `marquee import`, `lookup`, `spot`, `random`, `serve`, and the browsing
//! commands `person`, `top`, `search`, `stats`.

mod browse;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::archive::{Archive, Lookup, Origin};
use crate::config::{ProcessEnv, Settings};
use crate::import::{collect_sources, import_sources_with};
use crate::present::{card_response, Card, ReviewJson};
use crate::review::Grade;
use crate::store::{RandomFilter, Store};

/// marquee — one film critic's review archive, as a Discord bot and a command line.
///
/// Reviews are plain-text files in the critic's layouts. `import` reads them into a SQLite
/// (or PostgreSQL) database; `lookup` finds a film by a sloppy title; `spot` finds the films a chat
/// message names; `random` picks a well-graded film. Until a database exists, `lookup`, `spot` and
/// `random` answer from a small built-in sample archive.
#[derive(Debug, Parser)]
#[command(name = "marquee", version, propagate_version = true)]
pub struct Cli {
    /// The database: a SQLite URL (sqlite://path.db), a file path, or a PostgreSQL URL
    /// (postgres://user:pass@host/db). Overrides DATABASE_URL
    /// and the configuration's database.url (default: marquee.db in the working directory).
    #[arg(long, global = true, value_name = "URL")]
    pub db: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import review pages (files and directories: *.txt, *.htm, *.html, recursively) or the
    /// critic's site (a URL) into the database.
    ///
    /// A page may hold many reviews (a letter page's capsules); each is counted. Re-importing
    /// a page changes nothing; an edited review is updated; a review its page no longer holds
    /// is retired. A URL of a feed imports what the feed holds; a URL of a WordPress site
    /// imports every post (its REST API, else its feed's pages), announcing nothing; run again,
    /// it reads only what is new. Exit status: 0 if every review was stored, 1 if some failed
    /// (the others are stored), 2 for a usage, network or database error.
    Import {
        /// Review pages and directories, or http(s) URLs of the critic's site or feed.
        #[arg(required = true, value_name = "PATH|URL")]
        paths: Vec<PathBuf>,
        /// Print {"added","updated","unchanged","retired","failed":[{"path","line","error"}],
        /// "sites":[{"url","via","pages","posts":{"imported","unchanged","skipped"},
        /// "skipped":[{"post","reason"}]}]} as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Retire the reviews imported from these files: each review, its credits, other titles
    /// and announcements not yet sent go; the films are no longer found.
    ///
    /// A path is matched as `import` recorded it (the path given to import, joined with the
    /// file's place under a directory). Exit status: 0 if every path had a review, 1 if some
    /// had none (the others are removed), 2 for a usage or database error.
    Remove {
        /// Review files, as they were imported.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Print {"removed":[{"path","title","year"}],"not_found":[PATH]} as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Look a film up by title, forgiving typos, articles, accents and numerals.
    ///
    /// A trailing year (`king kong 1976`) or --year picks one of several films of the same
    /// title. QUERY `-` reads one query per line from standard input and prints one JSON line
    /// per query. Exit status 1 when nothing matches.
    Lookup {
        /// The title to look for, or `-` for one query per line on standard input.
        query: String,
        /// The film's year, to tell remakes apart.
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The whole review of a film, found as `lookup` finds it: the pull quote, the body, the
    /// title line and tagline, and the footer.
    ///
    /// JSON: {"title","year","grade","url","paragraphs":[…],"pages":N}, where pages counts
    /// the pages Discord shows it in; `--format discord` prints the first of them as the
    /// bot sends it. Exit status 1 when nothing matches.
    Read {
        /// The film's title.
        query: String,
        /// The film's year, to tell remakes apart.
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Find the archive's films named in a message: free chat text, as the "Find the review"
    /// message command reads it.
    ///
    /// A title is found in any case, with or without its article, in quotes or markdown
    /// emphasis, with a year next to it (which picks one of several films of that title) and
    /// with a typo when it is long. A title made of everyday words (Vertigo, Taxi Driver, It,
    /// 300) counts only when something marks it as one: quotes, a year, capitals in the
    /// middle of a sentence, "watched" or "the film" before it, or a message about films.
    /// Overlapping mentions count once (the longest), and each film once, in the order of the
    /// text. TEXT `-` reads the whole of standard input as one message. JSON:
    /// {"films":[{"title","year","grade","span":[start,end]}]}, span in characters of the
    /// text (Unicode scalar values, end exclusive). Exit status 1 when no film is named.
    Spot {
        /// The message, or `-` to read it from standard input.
        #[arg(value_name = "TEXT|-")]
        text: String,
        #[arg(long, value_enum, default_value_t = SpotFormat::Text)]
        format: SpotFormat,
    },
    /// Run the Discord bot: slash commands, autocomplete and announcements of new reviews.
    ///
    /// Needs DISCORD_TOKEN. DISCORD_API_BASE replaces https://discord.com (for a proxy);
    /// MARQUEE_DEV_GUILD registers the commands to one guild instead of globally. Stops on
    /// Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Pick a random review at or above a grade.
    Random {
        /// The lowest grade to pick from: A+, A, A-, B+ … F.
        #[arg(long, default_value = "A-", value_parser = parse_grade)]
        min_grade: Grade,
        /// Only films from this decade, e.g. 1970 (or any year in it, or 1970s).
        #[arg(long)]
        decade: Option<crate::review::Decade>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The films of a person (director, cast, writer …), oldest first, with their grades.
    ///
    /// Forgives case, accents, typos, initials (`j. l. godard`) and a surname alone. JSON:
    /// {"query","person":{"name","films"}|null,"candidates":[{"name","films","score"}],
    /// "films":[{"title","year","grade","roles"}]}. Exit status 1 when nobody matches.
    Person(browse::PersonArgs),
    /// The best-graded films, best first (among equals, the most recently reviewed).
    ///
    /// JSON: {"films":[{"title","year","grade"}],"total":N}, where total counts every film
    /// in the scope. Exit status 1 when no film is in it.
    Top(browse::TopArgs),
    /// Full-text search of the reviews' titles, pull quotes, bodies and taglines.
    ///
    /// "a phrase" in quotes and a trailing * (prefix) are honoured; everything else is
    /// searched as plain words. JSON: {"query","total":N,"hits":[{"title","year","grade",
    /// "snippet"}]} (snippets as Discord shows them: matches in bold, the rest escaped).
    /// Exit status 1 when nothing matches.
    Search(browse::SearchArgs),
    /// How many films got each grade: bars in the terminal, JSON, or the PNG chart.
    ///
    /// JSON: {"count":N,"by_grade":{"A+":n,…},"mean":"B+"}.
    Stats(browse::StatsArgs),
}

/// `marquee serve`'s options; each overrides its `serve.*` setting.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// How interactions arrive: `gateway` (a websocket to Discord) or `http` (Discord POSTs
    /// them to /interactions on --listen; needs DISCORD_PUBLIC_KEY).
    #[arg(long, value_enum)]
    pub transport: Option<crate::config::Transport>,
    /// Where the HTTP interactions endpoint listens, e.g. 127.0.0.1:8080.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Gateway shards: a number, or `auto` for as many as Discord recommends (default one).
    #[arg(long, value_name = "N|auto")]
    pub shards: Option<String>,
    /// The shards this process runs, `A..B` (A up to B, not including it) or `A..=B`, so
    /// that several processes split the guilds (default: all of --shards).
    #[arg(long, value_name = "A..B")]
    pub shard_range: Option<String>,
    /// Watch this folder: its *.txt reviews are imported at start and whenever one is saved,
    /// and a deleted file's review is retired. Overrides archive.watch.
    #[arg(long, value_name = "DIR")]
    pub watch: Option<PathBuf>,
    /// Follow the critic's site: an RSS or Atom feed polled every archive.feed_poll_seconds,
    /// its new reviews imported and announced. Repeatable; replaces archive.feeds.
    #[arg(long = "feed", value_name = "URL")]
    pub feeds: Vec<String>,
}

impl ServeArgs {
    /// The settings with these options applied; the shard plan is read again (the error
    /// names the options).
    pub fn apply(&self, settings: &mut Settings) -> anyhow::Result<()> {
        if let Some(transport) = self.transport {
            settings.serve.transport = transport;
        }
        if let Some(listen) = self.listen {
            settings.serve.listen = listen;
        }
        if let Some(shards) = &self.shards {
            settings.serve.shards = shards.clone();
        }
        if let Some(range) = &self.shard_range {
            settings.serve.shard_range = range.clone();
        }
        if let Some(dir) = &self.watch {
            settings.archive.watch = dir.clone();
        }
        if !self.feeds.is_empty() {
            settings.archive.feeds.clone_from(&self.feeds);
        }
        settings.serve.read_plan()
    }
}

/// How a review is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable card.
    Text,
    /// The review and the ranked candidates as JSON.
    Json,
    /// The exact interaction response body the Discord bot sends.
    Discord,
}

/// How `spot` prints the films it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpotFormat {
    /// One line per film: title (year) grade, and the mention as written.
    Text,
    /// {"films":[{"title","year","grade","span":[start,end]}]}.
    Json,
}

fn parse_grade(text: &str) -> Result<Grade, String> {
    Grade::parse(text).map_err(|e| e.to_string())
}

/// Turns `--db` into a URL: a bare path becomes `sqlite://path`; SQLite and PostgreSQL URLs
/// are taken as they are; other databases are refused.
pub fn database_url(db: &str) -> anyhow::Result<String> {
    if db.starts_with("sqlite:") || crate::store::is_postgres(db) {
        Ok(db.to_owned())
    } else if let Some((scheme, _)) = db.split_once("://") {
        anyhow::bail!("--db: marquee stores its archive in SQLite or PostgreSQL; `{scheme}://` is neither (try sqlite://marquee.db, postgres://… or a file path)")
    } else {
        Ok(format!("sqlite://{db}"))
    }
}

impl Cli {
    /// Whether the command runs the bot (which wants a multi-threaded runtime).
    pub fn serves(&self) -> bool {
        matches!(self.command, Command::Serve(_))
    }
}

/// Runs the command; the exit status follows the command's own rules, 2 for errors.
pub async fn run(cli: Cli) -> ExitCode {
    match dispatch(cli).await {
        Ok(code) => code,
        // `marquee … | head -1`: the reader has what it wanted. Ending quietly is what
        // `cat` and `grep` do; the error is not the user's concern.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `err` comes from writing to a pipe whose reader has gone.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|json| json.io_error_kind())
                .is_some_and(|kind| kind == std::io::ErrorKind::BrokenPipe)
    })
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let settings = Settings::load(&cwd, &ProcessEnv)?;
    let url = match cli.db.as_deref() {
        Some(db) => database_url(db)?,
        None => settings.database.url.clone(),
    };
    match cli.command {
        Command::Import { paths, json } => import(&url, &paths, &settings, json).await,
        Command::Remove { paths, json } => remove(&url, &paths, json).await,
        Command::Lookup {
            query,
            year,
            format,
        } => {
            let archive = open_for_reading(&url).await?;
            let answered = if query == "-" {
                lookup_stdin(&archive, &settings, year, format).await
            } else {
                lookup(&archive, &settings, &query, year, format).await
            };
            // The process ends here: freeing the title index's million small allocations
            // one by one took a third of a one-shot lookup at 100k reviews. The operating
            // system takes the memory back at once.
            archive.leak_indexes();
            answered
        }
        Command::Read {
            query,
            year,
            format,
        } => {
            read(
                &open_for_reading(&url).await?,
                &settings,
                &query,
                year,
                format,
            )
            .await
        }
        Command::Spot { text, format } => {
            let archive = open_for_reading(&url).await?;
            let answered = spot(&archive, &text, format).await;
            archive.leak_indexes();
            answered
        }
        Command::Serve(args) => {
            let mut settings = settings;
            args.apply(&mut settings)?;
            crate::app::serve(&settings, &url).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Person(args) => browse::person(&open_for_reading(&url).await?, &args).await,
        Command::Top(args) => browse::top(&open_for_reading(&url).await?, &args).await,
        Command::Search(args) => browse::search(&open_for_reading(&url).await?, &args).await,
        Command::Stats(args) => browse::stats(&open_for_reading(&url).await?, &args).await,
        Command::Random {
            min_grade,
            decade,
            format,
        } => {
            let archive = open_for_reading(&url).await?;
            random(
                &archive,
                &settings,
                RandomFilter { min_grade, decade },
                format,
            )
            .await
        }
    }
}

async fn open_for_reading(url: &str) -> anyhow::Result<Archive> {
    let archive = Archive::open_for_reading(url).await?;
    if let Origin::Sample { reviews } = archive.origin() {
        eprintln!(
            "note: no database at {url} yet, so this answer comes from the built-in sample \
             archive ({reviews} reviews). `marquee import PATH…` builds your own."
        );
    }
    Ok(archive)
}

/// Whether the log on stderr is coloured: only on a terminal, and not when `NO_COLOR` is set
/// to anything but the empty string (<https://no-color.org>).
pub fn log_colours(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Whether a command-line path is the critic's site rather than a file.
fn is_url(path: &std::path::Path) -> bool {
    path.to_str()
        .is_some_and(|p| p.starts_with("http://") || p.starts_with("https://"))
}

/// A progress bar on a terminal (hidden for JSON or a pipe).
fn progress_bar(json: bool, len: Option<u64>, template: &str) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

async fn import(
    url: &str,
    paths: &[PathBuf],
    settings: &Settings,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = Store::open(url, true).await?;
    let (sites, files): (Vec<&PathBuf>, Vec<&PathBuf>) = paths.iter().partition(|p| is_url(p));
    let files: Vec<PathBuf> = files.into_iter().cloned().collect();
    let done = async {
        let mut report = import_files(&store, &files, &settings.import, json).await?;
        let backfilled = backfill_sites(&store, &sites, settings, json).await?;
        for (_, site) in &backfilled {
            report.counts.add(site.reviews);
            report.failed.extend(site.failed.iter().cloned());
        }
        anyhow::Ok((report, backfilled))
    }
    .await;
    store.close().await;
    let (report, backfilled) = done?;
    print_import(&report, &backfilled, json)?;
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Imports the pages under `paths` (none: an empty report), with a progress bar of pages.
async fn import_files(
    store: &Store,
    paths: &[PathBuf],
    limits: &crate::review::Limits,
    json: bool,
) -> anyhow::Result<crate::import::ImportReport> {
    if paths.is_empty() {
        return Ok(crate::import::ImportReport::default());
    }
    let sources = collect_sources(paths);
    let bar = progress_bar(
        json,
        Some(sources.len() as u64),
        "{bar:40} {pos}/{len} pages  {per_sec}  eta {eta}",
    );
    // A page's outcomes come together: the bar moves on at each page's first.
    let mut page = String::new();
    let report = import_sources_with(store, sources, limits, |o| {
        if o.path != page {
            o.path.clone_into(&mut page);
            bar.inc(1);
        }
    })
    .await;
    bar.finish_and_clear();
    let report = report?;
    let c = report.counts;
    if c.added + c.updated + c.retired > 0 {
        crate::archive::save_title_index(store).await?;
    }
    Ok(report)
}

/// Backfills each site, one after another, with a progress bar of its pages.
async fn backfill_sites(
    store: &Store,
    sites: &[&PathBuf],
    settings: &Settings,
    json: bool,
) -> anyhow::Result<Vec<(String, crate::feed::backfill::Backfilled)>> {
    let timeout = std::time::Duration::from_secs(settings.archive.feed_timeout_seconds);
    let mut backfilled = Vec::new();
    for site in sites {
        let site = site.display().to_string();
        let bar = progress_bar(json, None, "{bar:40} page {pos}/{len}  {msg}");
        let done = crate::feed::backfill::backfill(store, &site, &settings.import, timeout, |p| {
            if let Some(of) = p.of {
                bar.set_length(u64::from(of));
            }
            bar.set_position(u64::from(p.page));
            let c = p.counts;
            bar.set_message(format!(
                "{} posts imported, {} unchanged, {} skipped",
                c.imported, c.unchanged, c.skipped
            ));
        })
        .await;
        bar.finish_and_clear();
        backfilled.push((site, done?));
    }
    Ok(backfilled)
}

/// What an import did: the summary on stdout and each failure on stderr, or the JSON.
fn print_import(
    report: &crate::import::ImportReport,
    backfilled: &[(String, crate::feed::backfill::Backfilled)],
    json: bool,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let mut value = report.to_json();
        let sites: Vec<serde_json::Value> = backfilled
            .iter()
            .map(|(site, done)| {
                json!({
                    "url": site,
                    "via": done.via.as_str(),
                    "pages": done.pages,
                    "posts": {
                        "imported": done.counts.imported,
                        "unchanged": done.counts.unchanged,
                        "skipped": done.counts.skipped,
                    },
                    "skipped": done.skipped.iter().map(|s| json!({
                        "post": s.link.as_deref().unwrap_or(&s.key),
                        "reason": s.reason,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        if let Some(object) = value.as_object_mut() {
            object.insert("sites".into(), sites.into());
        }
        serde_json::to_writer(&mut out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    for (site, done) in backfilled {
        let c = done.counts;
        writeln!(
            out,
            "{site}: {} page{} from {}; posts imported {}, unchanged {}, skipped {}",
            done.pages,
            if done.pages == 1 { "" } else { "s" },
            done.via.as_str(),
            c.imported,
            c.unchanged,
            c.skipped
        )?;
        for s in &done.skipped {
            eprintln!(
                "{}: skipped, not a review: {}",
                s.link.as_deref().unwrap_or(&s.key),
                s.reason
            );
        }
    }
    let c = report.counts;
    writeln!(
        out,
        "added {}, updated {}, unchanged {}, retired {}, failed {}",
        c.added, c.updated, c.unchanged, c.retired, c.failed
    )?;
    for f in &report.failed {
        match f.line {
            Some(line) => eprintln!("{}:{line}: {}", f.path, f.error),
            None => eprintln!("{}: {}", f.path, f.error),
        }
    }
    Ok(())
}

async fn remove(url: &str, paths: &[PathBuf], json: bool) -> anyhow::Result<ExitCode> {
    if !crate::store::exists(url)? {
        anyhow::bail!("no database at {url}: nothing to remove");
    }
    let store = Store::open(url, false).await?;
    let mut removed = Vec::new();
    let mut not_found = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let gone = store.remove_imported_from(&name).await?;
        if gone.is_empty() {
            not_found.push(name);
        } else {
            removed.extend(
                gone.into_iter()
                    .map(|(title, year)| (name.clone(), title, year)),
            );
        }
    }
    if !removed.is_empty() {
        crate::archive::save_title_index(&store).await?;
    }
    store.close().await;
    let mut out = std::io::stdout().lock();
    if json {
        let removed: Vec<_> = removed
            .iter()
            .map(|(path, title, year)| json!({ "path": path, "title": title, "year": year }))
            .collect();
        serde_json::to_writer(
            &mut out,
            &json!({ "removed": removed, "not_found": not_found }),
        )?;
        writeln!(out)?;
    } else {
        for (path, title, year) in &removed {
            match year {
                Some(year) => writeln!(out, "removed {title} ({year}), imported from {path}")?,
                None => writeln!(out, "removed {title}, imported from {path}")?,
            }
        }
        for path in &not_found {
            eprintln!("{path}: no review was imported from this path");
        }
    }
    Ok(if not_found.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The JSON form of a lookup.
pub fn lookup_json(query: &str, lookup: &Lookup) -> serde_json::Value {
    json!({
        "query": query,
        "match": lookup.review.as_ref().map(ReviewJson::of),
        "candidates": lookup.outcome.candidates,
        "ambiguous": lookup.outcome.ambiguous,
    })
}

fn render_lookup(
    query: &str,
    lookup: &Lookup,
    settings: &Settings,
    format: Format,
) -> anyhow::Result<String> {
    let critic = &settings.archive.critic;
    Ok(match format {
        Format::Json => serde_json::to_string(&lookup_json(query, lookup))?,
        Format::Discord => {
            serde_json::to_string(&crate::commands::review::reply(lookup, query, critic))?
        }
        Format::Text => match &lookup.review {
            Some(stored) => {
                let mut text = Card::of(&stored.review, critic).text();
                let others: Vec<_> = lookup
                    .outcome
                    .candidates
                    .iter()
                    .filter(|c| c.id != stored.id)
                    .collect();
                if lookup.outcome.ambiguous && !others.is_empty() {
                    text.push_str("\nOr did you mean:\n");
                    for c in others {
                        text.push_str(&format!(
                            "  {}\n",
                            crate::commands::review::candidate_label(c)
                        ));
                    }
                }
                text
            }
            None => {
                let mut text = format!("No review matches “{query}”.\n");
                if !lookup.outcome.candidates.is_empty() {
                    text.push_str("Closest titles:\n");
                    for c in &lookup.outcome.candidates {
                        text.push_str(&format!(
                            "  {}\n",
                            crate::commands::review::candidate_label(c)
                        ));
                    }
                }
                text
            }
        },
    })
}

async fn lookup(
    archive: &Archive,
    settings: &Settings,
    query: &str,
    year: Option<i32>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let result = archive
        .lookup(query, year, settings.search.candidates)
        .await?;
    let text = render_lookup(query, &result, settings, format)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", text.trim_end())?;
    Ok(if result.review.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The most lines of `lookup -` answered together.
const LOOKUP_BATCH: usize = 256;

async fn lookup_stdin(
    archive: &Archive,
    settings: &Settings,
    year: Option<i32>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let format = if format == Format::Text {
        Format::Json
    } else {
        format
    };
    let mut input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin().lock());
    let mut out = std::io::stdout().lock();
    let mut lines = 0;
    loop {
        // The lines already waiting are answered together (a pipe gives many at once); a
        // line typed alone is answered at once, without waiting for more.
        let mut batch = Vec::new();
        while batch.len() < LOOKUP_BATCH && (batch.is_empty() || input.buffer().contains(&b'\n')) {
            let mut line = String::new();
            lines += 1;
            let read = input
                .read_line(&mut line)
                .with_context(|| format!("cannot read standard input (line {lines})"))?;
            if read == 0 {
                break;
            }
            let line = line.strip_suffix('\n').unwrap_or(&line);
            batch.push(line.strip_suffix('\r').unwrap_or(line).to_owned());
        }
        if batch.is_empty() {
            break;
        }
        let answers = archive
            .lookup_many(batch.clone(), year, settings.search.candidates)
            .await?;
        for (query, result) in batch.iter().zip(&answers) {
            writeln!(out, "{}", render_lookup(query, result, settings, format)?)?;
        }
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn read(
    archive: &Archive,
    settings: &Settings,
    query: &str,
    year: Option<i32>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let result = archive
        .lookup(query, year, settings.search.candidates)
        .await?;
    let Some(stored) = &result.review else {
        eprintln!("No review matches “{query}”.");
        return Ok(ExitCode::from(1));
    };
    let review = &stored.review;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Text => writeln!(out, "{}", crate::present::read::text(review).trim_end())?,
        Format::Json => {
            let json = serde_json::json!({
                "title": review.title,
                "year": review.year(),
                "grade": review.grade,
                "url": review.url,
                "paragraphs": crate::present::read::paragraphs(review),
                "pages": crate::present::read::discord_pages(review).len(),
            });
            writeln!(out, "{json}")?;
        }
        Format::Discord => {
            let first = crate::commands::review::reader(stored, 0).ephemeral(true);
            let response = serenity::all::CreateInteractionResponse::Message(first);
            writeln!(out, "{}", serde_json::to_string(&response)?)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One film of `marquee spot --format json`.
#[derive(serde::Serialize)]
struct SpottedJson<'a> {
    title: &'a str,
    year: Option<i32>,
    grade: Grade,
    /// Characters, end exclusive.
    span: [usize; 2],
}

/// The JSON form of the films spotted in a text.
pub fn spot_json(spotted: &[crate::search::Spotted]) -> serde_json::Value {
    let films: Vec<SpottedJson> = spotted
        .iter()
        .map(|s| SpottedJson {
            title: &s.title,
            year: s.year,
            grade: s.grade,
            span: [s.span.start, s.span.end],
        })
        .collect();
    json!({ "films": films })
}

async fn spot(archive: &Archive, text: &str, format: SpotFormat) -> anyhow::Result<ExitCode> {
    let message = if text == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
            .context("cannot read standard input")?;
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        text.to_owned()
    };
    let spotted = archive.index().await?.spot(&message);
    let mut out = std::io::stdout().lock();
    match format {
        SpotFormat::Json => writeln!(out, "{}", serde_json::to_string(&spot_json(&spotted))?)?,
        SpotFormat::Text => {
            for s in &spotted {
                let year = s.year.map(|y| format!(" ({y})")).unwrap_or_default();
                let mention = message.get(s.bytes.clone()).unwrap_or_default();
                writeln!(out, "{}{year} {}  “{mention}”", s.title, s.grade)?;
            }
            if spotted.is_empty() {
                eprintln!("No film of the archive is named in this text.");
            }
        }
    }
    Ok(if spotted.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn random(
    archive: &Archive,
    settings: &Settings,
    filter: RandomFilter,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let Some(stored) = archive.random(filter).await? else {
        let decade = filter.decade.map(|d| format!(" from the {d}"));
        eprintln!(
            "No review graded {} or better{}.",
            filter.min_grade,
            decade.unwrap_or_default()
        );
        return Ok(ExitCode::from(1));
    };
    let card = Card::of(&stored.review, &settings.archive.critic);
    match format {
        Format::Text => writeln!(out, "{}", card.text().trim_end())?,
        Format::Json => writeln!(out, "{}", serde_json::to_string(&ReviewJson::of(&stored))?)?,
        Format::Discord => writeln!(out, "{}", serde_json::to_string(&card_response(&card))?)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::{database_url, log_colours};

    #[test]
    fn the_log_is_coloured_on_a_terminal_only_and_never_with_no_color() {
        use std::ffi::OsStr;
        assert!(log_colours(true, None));
        assert!(!log_colours(false, None), "a file or a pipe");
        assert!(!log_colours(true, Some(OsStr::new("1"))));
        assert!(
            log_colours(true, Some(OsStr::new(""))),
            "an empty NO_COLOR is unset"
        );
        assert!(!log_colours(false, Some(OsStr::new("1"))));
    }

    #[test]
    fn db_takes_sqlite_paths_and_urls_and_postgres_urls_and_refuses_the_rest_without_echoing_them()
    {
        assert_eq!(database_url("a.db").unwrap(), "sqlite://a.db");
        assert_eq!(database_url("sqlite:a.db").unwrap(), "sqlite:a.db");
        let pg = "postgres://u:secret@db.example/marquee";
        assert_eq!(database_url(pg).unwrap(), pg);
        let err = database_url("mysql://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("mysql://") && !err.contains("secret"), "{err}");
    }
}
