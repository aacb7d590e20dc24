//! The parser, variant by variant. Every text here is written for these tests.

use super::*;
use crate::review::model::{CastMember, Role};

const BODY: &str = "The first paragraph of the body.\n\nThe second paragraph, with “quotes” in it.";

/// A modern review with the given header, pull-quote block, title line and footer.
fn modern(header: &str, quote: &str, title_line: &str, footer: &str) -> String {
    format!(
        "{header}\n\n{quote}\n\nReviewed by Dennis Schwartz\n\n{BODY}\n\n{title_line}\n      leaves town at last\n\n\n{footer}"
    )
}

fn parse(text: &str) -> Review {
    match Review::parse(text) {
        Ok(r) => r,
        Err(e) => panic!("did not parse: {e}\n{text}"),
    }
}

const HEADER: &str = "(director: Nora Lind; screenwriter: Ed Marsh; cinematographer: Ivo Tan; editor: Bea Holm; music: Kai Dorn; cast: Ann Lee (June), Bo Park (the mayor); Runtime: 104; MPAA Rating: PG-13; producer: Gus Rowe: Neon; 2019)";

#[test]
fn a_complete_modern_review() {
    let r = parse(&modern(
        HEADER,
        "“A quiet film that earns its ending.”",
        "Nora Lind's The Long Walk",
        "REVIEWED ON 8/7/2021  GRADE: A –",
    ));
    assert_eq!(r.layout, Layout::Modern);
    assert_eq!(r.title, "The Long Walk");
    assert_eq!(r.credits.year, Some(2019));
    assert_eq!(r.credits.directors, vec!["Nora Lind"]);
    assert_eq!(r.credits.writers, vec!["Ed Marsh"]);
    assert_eq!(r.credits.cinematographers, vec!["Ivo Tan"]);
    assert_eq!(r.credits.editors, vec!["Bea Holm"]);
    assert_eq!(r.credits.music, vec!["Kai Dorn"]);
    assert_eq!(
        r.credits.cast,
        vec![
            CastMember {
                actor: "Ann Lee".into(),
                role: Some("June".into())
            },
            CastMember {
                actor: "Bo Park".into(),
                role: Some("the mayor".into())
            },
        ]
    );
    assert_eq!(r.credits.runtime_minutes, Some(104));
    assert_eq!(r.credits.mpaa_rating.as_deref(), Some("PG-13"));
    assert_eq!(r.credits.producers, vec!["Gus Rowe"]);
    assert_eq!(r.credits.studio.as_deref(), Some("Neon"));
    assert_eq!(
        r.pull_quote.as_deref(),
        Some("A quiet film that earns its ending.")
    );
    assert_eq!(r.critic.as_deref(), Some("Dennis Schwartz"));
    assert_eq!(r.body, BODY);
    assert_eq!(r.tagline.as_deref(), Some("leaves town at last"));
    assert_eq!(r.reviewed_on, NaiveDate::from_ymd_opt(2021, 8, 7));
    assert_eq!(r.grade, Grade::AMinus);
}

#[test]
fn raw_text_is_kept_as_it_was() {
    let text = modern(
        HEADER,
        "“Q.”",
        "Nora Lind's X",
        "REVIEWED ON 1/2/2003  GRADE: B",
    )
    .replace('\n', "\r\n");
    assert_eq!(parse(&text).raw_text, text);
}

#[test]
fn crlf_line_ends() {
    let text = modern(
        HEADER,
        "“Q.”",
        "Nora Lind's Crossing",
        "REVIEWED ON 1/2/2003  GRADE: B",
    )
    .replace('\n', "\r\n");
    let r = parse(&text);
    assert_eq!(r.title, "Crossing");
    assert_eq!(r.grade, Grade::B);
    assert_eq!(r.tagline.as_deref(), Some("leaves town at last"));
}

#[test]
fn pull_quote_in_straight_quotes_and_without_quotes() {
    for quote in ["\"Plain and true.\"", "Plain and true."] {
        let r = parse(&modern(
            HEADER,
            quote,
            "Nora Lind's X",
            "REVIEWED ON 1/2/2003  GRADE: B",
        ));
        assert_eq!(r.pull_quote.as_deref(), Some("Plain and true."), "{quote}");
    }
}

#[test]
fn no_pull_quote() {
    let text = format!(
        "{HEADER}\n\nReviewed by Dennis Schwartz\n\n{BODY}\n\nNora Lind's X\n      tag\n\n\nREVIEWED ON 1/2/2003  GRADE: C"
    );
    let r = parse(&text);
    assert_eq!(r.pull_quote, None);
    assert_eq!(r.body, BODY);
}

#[test]
fn zero_or_two_blank_lines_after_the_header() {
    for gap in ["\n", "\n\n\n"] {
        let text = format!(
            "{HEADER}{gap}“Close.”\n\nReviewed by Dennis Schwartz\n\n{BODY}\n\nNora Lind's X\n      tag\n\n\nREVIEWED ON 1/2/2003  GRADE: C"
        );
        assert_eq!(parse(&text).pull_quote.as_deref(), Some("Close."));
    }
}

#[test]
fn wrapped_header() {
    let text = modern(
        "(director: Nora Lind; screenwriter: Ed Marsh; cinematographer: Ivo Tan;\n editor: Bea Holm; cast: Ann Lee (June), Bo\n Park (the mayor); Runtime: 104; producer: Gus Rowe: Neon; 2019)",
        "“Q.”",
        "Nora Lind's X",
        "REVIEWED ON 1/2/2003  GRADE: B",
    );
    let r = parse(&text);
    assert_eq!(r.credits.editors, vec!["Bea Holm"]);
    assert_eq!(r.credits.names(Role::Cast), vec!["Ann Lee", "Bo Park"]);
    assert_eq!(r.credits.year, Some(2019));
    assert_eq!(r.pull_quote.as_deref(), Some("Q."));
}

#[test]
fn missing_closing_parenthesis() {
    let r = parse(&modern(
        "(director: Nora Lind; cast: Ann Lee (June); Neon; 2019",
        "“Q.”",
        "Nora Lind's X",
        "REVIEWED ON 1/2/2003  GRADE: B",
    ));
    assert_eq!(r.credits.year, Some(2019));
    assert_eq!(r.credits.studio.as_deref(), Some("Neon"));
}

#[test]
fn header_typos() {
    let r = parse(&modern(
        "(director:\u{a0} Nora Lind; sc: Ed Marsh; cinematographer:Ivo Tan; editor:  Bea  Holm; music: ; producers; Gus Rowe, Ida Finn: Kino Lorber; 2019)",
        "“Q.”",
        "Nora Lind's X",
        "REVIEWED ON 1/2/2003\u{a0} GRADE: B +",
    ));
    assert_eq!(r.credits.directors, vec!["Nora Lind"]);
    assert_eq!(r.credits.writers, vec!["Ed Marsh"]);
    assert_eq!(r.credits.cinematographers, vec!["Ivo Tan"]);
    assert_eq!(r.credits.editors, vec!["Bea Holm"]);
    assert!(r.credits.music.is_empty());
    assert_eq!(r.credits.producers, vec!["Gus Rowe", "Ida Finn"]);
    assert_eq!(r.credits.studio.as_deref(), Some("Kino Lorber"));
    assert_eq!(r.grade, Grade::BPlus);
}

#[test]
fn year_field_notes() {
    let r = parse(&modern(
        "(director: Nora Lind; Toho; 2008-Japan, in Japanese with English subtitles)",
        "“Q.”",
        "Nora Lind's X",
        "REVIEWED ON 1/2/2009  GRADE: B",
    ));
    assert_eq!(r.credits.year, Some(2008));
    assert_eq!(
        r.credits.release_note.as_deref(),
        Some("Japan, in Japanese with English subtitles")
    );
    assert_eq!(r.credits.studio.as_deref(), Some("Toho"));
}

#[test]
fn two_directors_title_line() {
    let r = parse(&modern(
        "(directors: Stanley Donen & Gene Kelly; MGM; 1952)",
        "“Q.”",
        "Stanley Donen & Gene Kelly's Singin' in the Rain",
        "REVIEWED ON 1/2/2009  GRADE: A+",
    ));
    assert_eq!(r.credits.directors, vec!["Stanley Donen", "Gene Kelly"]);
    assert_eq!(r.title, "Singin' in the Rain");
    assert_eq!(r.grade, Grade::APlus);
}

#[test]
fn bare_apostrophe_after_a_name_ending_in_s() {
    let r = parse(&modern(
        "(director: Terence Davies; 1988)",
        "“Q.”",
        "Terence Davies' Distant Voices, Still Lives",
        "REVIEWED ON 1/2/2009  GRADE: A",
    ));
    assert_eq!(r.title, "Distant Voices, Still Lives");
}

#[test]
fn titles_that_contain_a_possessive() {
    let r = parse(&modern(
        "(director: Steven Spielberg; 1993)",
        "“Q.”",
        "Steven Spielberg's Schindler's List",
        "REVIEWED ON 1/2/2009  GRADE: A",
    ));
    assert_eq!(r.title, "Schindler's List");
    // Even when the header spells the director differently from the title line.
    let r = parse(&modern(
        "(director: Steven Spielburg; 1993)",
        "“Q.”",
        "Steven Spielberg's Schindler's List",
        "REVIEWED ON 1/2/2009  GRADE: A",
    ));
    assert_eq!(r.title, "Schindler's List");
}

#[test]
fn director_names_differ_in_accents_and_apostrophes() {
    let r = parse(&modern(
        "(director: Alfonso Cuarón; 2001)",
        "“Q.”",
        "Alfonso Cuaron’s Y Tu Mamá También",
        "REVIEWED ON 1/2/2009  GRADE: A",
    ));
    assert_eq!(r.title, "Y Tu Mamá También");
    let r = parse(&modern(
        "(director: Agnès O'Neal; 2001)",
        "“Q.”",
        "Agnès O'Neal's The Sea's Edge",
        "REVIEWED ON 1/2/2009  GRADE: A",
    ));
    assert_eq!(r.title, "The Sea's Edge");
}

#[test]
fn grade_spellings_in_the_footer() {
    for (text, want) in [
        ("A –", Grade::AMinus),
        ("A -", Grade::AMinus),
        ("A-", Grade::AMinus),
        ("B +", Grade::BPlus),
        ("C", Grade::C),
        ("F", Grade::F),
    ] {
        let r = parse(&modern(
            HEADER,
            "“Q.”",
            "Nora Lind's X",
            &format!("REVIEWED ON 1/2/2003  GRADE: {text}"),
        ));
        assert_eq!(r.grade, want, "{text}");
    }
}

const CAPSULE_HEADER: &str = "(director: John Landis; screenwriters: Dan Aykroyd, John Landis; cast: John Belushi (Jake), Dan Aykroyd (Elwood); Runtime: 133; MPAA Rating: R; Universal; 1980)";

#[test]
fn capsule_with_moved_article_and_date() {
    let text = format!(
        "BLUES BROTHERS, THE {CAPSULE_HEADER} Reviewed on 4/5/1982.\n\nA capsule paragraph that rambles on. GRADE: B +\n"
    );
    let r = parse(&text);
    assert_eq!(r.layout, Layout::Short);
    assert_eq!(r.title, "The Blues Brothers");
    assert_eq!(r.credits.year, Some(1980));
    assert_eq!(r.credits.directors, vec!["John Landis"]);
    assert_eq!(r.credits.studio.as_deref(), Some("Universal"));
    assert_eq!(r.reviewed_on, NaiveDate::from_ymd_opt(1982, 4, 5));
    assert_eq!(r.grade, Grade::BPlus);
    assert_eq!(r.body, "A capsule paragraph that rambles on.");
    assert_eq!(r.pull_quote, None);
    assert!(r.alt_titles.is_empty());
}

#[test]
fn capsule_with_original_title_and_no_date() {
    let text = format!("DAMAGE (FATALE) {CAPSULE_HEADER}\n\nShort and sharp. GRADE: C -");
    let r = parse(&text);
    assert_eq!(r.title, "Damage");
    assert_eq!(r.alt_titles, vec!["Fatale"]);
    assert_eq!(r.reviewed_on, None);
    assert_eq!(r.grade, Grade::CMinus);
}

#[test]
fn capsule_titles_in_readable_case() {
    for (caps, want) in [
        (
            "20,000 LEAGUES UNDER THE SEA",
            "20,000 Leagues Under the Sea",
        ),
        ("GODFATHER PART II, THE", "The Godfather Part II"),
        ("LET'S TALK ABOUT SEX", "Let's Talk About Sex"),
        ("SPIDER-MAN", "Spider-Man"),
        ("RULES OF THE GAME, THE", "The Rules of the Game"),
        ("1941", "1941"),
        ("AVVENTURA, L'", "L'Avventura"),
        ("GONE WITH THE WIND", "Gone with the Wind"),
        ("Paris, Texas", "Paris, Texas"),
    ] {
        assert_eq!(readable_title(caps), want);
    }
}

#[test]
fn capsule_title_that_starts_with_a_parenthesis() {
    let text = "(AND YOUR MOTHER TOO), THE (director: Ann Lee; Runtime: 90; Neon; 1953)\n\nWords. GRADE: D+";
    let r = parse(text);
    assert_eq!(r.layout, Layout::Short);
    assert_eq!(r.title, "The (And Your Mother Too)");
    assert_eq!(r.credits.year, Some(1953));
    assert_eq!(r.credits.directors, vec!["Ann Lee"]);
}

#[test]
fn capsule_header_can_be_wrapped() {
    let text = "SLAM (director: Marc Levin; cast: Saul Williams (Ray);\n Runtime: 100; Trimark; 1998) Reviewed on 2/26/2001.\n\nWords. GRADE: D";
    let r = parse(text);
    assert_eq!(r.title, "Slam");
    assert_eq!(r.credits.runtime_minutes, Some(100));
    assert_eq!(r.credits.studio.as_deref(), Some("Trimark"));
    assert_eq!(r.reviewed_on, NaiveDate::from_ymd_opt(2001, 2, 26));
}

#[test]
fn windows_1252_bytes_parse() {
    let text = modern(
        "(director: Alfonso Cuarón; 2001)",
        "“Q.”",
        "Alfonso Cuarón's Roma",
        "REVIEWED ON 1/2/2019  GRADE: A –",
    );
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    let r = Review::parse_bytes(&bytes).unwrap();
    assert_eq!(r.credits.directors, vec!["Alfonso Cuarón"]);
    assert_eq!(r.title, "Roma");
    assert_eq!(r.grade, Grade::AMinus);
}

#[test]
fn utf8_with_bom_parses() {
    let text = modern(
        HEADER,
        "“Q.”",
        "Nora Lind's X",
        "REVIEWED ON 1/2/2003  GRADE: B",
    );
    let bytes = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    assert_eq!(Review::parse_bytes(&bytes).unwrap().title, "X");
}

fn error(text: &str) -> ParseError {
    match Review::parse(text) {
        Ok(r) => panic!("parsed as {r:?}"),
        Err(e) => e,
    }
}

#[test]
fn errors_name_the_line_and_what_was_expected() {
    let e = error("");
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("empty"), "{e}");

    let e = error("\n\nJust some notes about films.\nNothing else.");
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("credits header"), "{e}");

    let text =
        format!("{HEADER}\n\n“Q.”\n\nReviewed by Dennis Schwartz\n\nBody.\n\nNora Lind's X\n");
    let e = error(&text);
    assert_eq!(e.line, Some(9));
    assert!(e.message.contains("GRADE"), "{e}");

    let e = error(&modern(
        HEADER,
        "“Q.”",
        "Nora Lind's X",
        "REVIEWED ON 1/2/2003  GRADE: E",
    ));
    assert_eq!(e.line, Some(15));
    assert!(e.message.contains("`E` is not a grade"), "{e}");

    let e = error(&modern(
        HEADER,
        "“Q.”",
        "Nora Lind's X",
        "REVIEWED ON 2/30/2003  GRADE: B",
    ));
    assert_eq!(e.line, Some(15));
    assert!(e.message.contains("M/D/YYYY"), "{e}");

    let text = format!("{HEADER}\n\n“Q.”\n\nReviewed by Dennis Schwartz\n\nBody.\n\nNo title here\n\nREVIEWED ON 1/2/2003  GRADE: B");
    let e = error(&text);
    assert_eq!(e.line, Some(9));
    assert!(e.message.contains("title line"), "{e}");

    let e = error("MISSING GRADE (director: Ann Lee; 1999)\n\nWords.");
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("GRADE"), "{e}");

    let e = Review::parse_bytes(b"\x7fELF\x02\x01\x01\x00\x00").unwrap_err();
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("not a text file"), "{e}");
}

#[test]
fn error_display_names_the_line() {
    let e = error("\n\nnot a review");
    assert!(e.to_string().starts_with("line 3: "), "{e}");
}

mod limits {
    use super::*;

    fn tight() -> Limits {
        Limits {
            max_file_bytes: 2_000,
            max_line_chars: 300,
            max_title_chars: 20,
            max_name_chars: 12,
            max_credits: 8,
            max_nesting: 2,
        }
    }

    fn refused(text: &str) -> ParseError {
        match Review::parse_with(text, &tight()) {
            Ok(r) => panic!("parsed within tight limits: {r:?}"),
            Err(e) => e,
        }
    }

    const SMALL: &str = "(director: Nora Lind; cast: Ann Lee (June); 2019)";

    #[test]
    fn a_review_within_every_limit_parses() {
        let text = modern(
            SMALL,
            "“Q.”",
            "Nora Lind's The Long Walk",
            "REVIEWED ON 1/2/2003  GRADE: B",
        );
        assert!(text.len() < 2_000);
        assert_eq!(
            Review::parse_with(&text, &tight()).unwrap().title,
            "The Long Walk"
        );
    }

    #[test]
    fn each_limit_names_its_line_and_setting() {
        let big = modern(
            SMALL,
            &format!("“{}”", "q".repeat(2_000)),
            "Nora Lind's X",
            "GRADE: B",
        );
        let e = refused(&big);
        assert_eq!(e.line, None);
        assert!(e.message.contains("import.max_file_bytes"), "{e}");

        let e = refused(&modern(
            SMALL,
            &"q".repeat(301),
            "Nora Lind's X",
            "GRADE: B",
        ));
        assert_eq!(e.line, Some(3));
        assert!(
            e.message.contains("301 characters") && e.message.contains("import.max_line_chars"),
            "{e}"
        );

        let e = refused(&modern(
            SMALL,
            "“Q.”",
            &format!("Nora Lind's {}", "T".repeat(21)),
            "GRADE: B",
        ));
        assert_eq!(e.line, Some(11));
        assert!(e.message.contains("import.max_title_chars"), "{e}");

        let e = refused(&modern(
            "(director: Nora Lindqvist-Berg; 2019)",
            "“Q.”",
            "Nora's X",
            "GRADE: B",
        ));
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("import.max_name_chars"), "{e}");

        let e = refused(&modern(
            "(director: A; cast: B, C, D, E, F, G, H, I; 2019)",
            "“Q.”",
            "A's X",
            "GRADE: B",
        ));
        assert_eq!(e.line, Some(1));
        assert!(
            e.message.contains("9 names") && e.message.contains("import.max_credits"),
            "{e}"
        );

        let e = refused(&modern(
            "(director: A (B (C)); 2019)",
            "“Q.”",
            "A's X",
            "GRADE: B",
        ));
        assert_eq!(e.line, Some(1));
        assert!(
            e.message.contains("3 deep") && e.message.contains("import.max_nesting"),
            "{e}"
        );
    }

    #[test]
    fn a_capsule_title_is_bounded_before_it_is_cased() {
        let text = format!(
            "{} (director: A; 1999) Reviewed on 1/2/2003. Body. GRADE: B",
            "'A".repeat(30)
        );
        let e = refused(&text);
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("import.max_title_chars"), "{e}");
    }

    #[test]
    fn a_title_needs_a_letter_or_a_digit() {
        let e = error(&modern(
            HEADER,
            "“Q.”",
            "Nora Lind's ?!… —",
            "REVIEWED ON 1/2/2003  GRADE: B",
        ));
        assert_eq!(e.line, Some(11));
        assert!(e.message.contains("not a title"), "{e}");
        let e = error("((( (director: A; 1999) Reviewed on 1/2/2003. Body. GRADE: B");
        assert!(e.message.contains("title"), "{e}");
        // Digits are enough: `1941`, `300`.
        assert_eq!(
            parse(&modern(HEADER, "“Q.”", "Nora Lind's 1941", "GRADE: B")).title,
            "1941"
        );
    }

    #[test]
    fn a_review_needs_a_year() {
        let e = error(&modern(
            "(director: Nora Lind; cast: Ann Lee)",
            "“Q.”",
            "Nora Lind's X",
            "GRADE: B",
        ));
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("no year"), "{e}");
    }

    #[test]
    fn errors_quote_no_more_than_an_excerpt() {
        let e = error(&modern(
            HEADER,
            "“Q.”",
            "Nora Lind's X",
            &format!("GRADE: {}", "Z".repeat(5_000)),
        ));
        assert!(e.message.len() < 200, "{}", e.message.len());
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// What every parsed review holds, whatever the text.
    fn holds_the_invariants(review: &Review) {
        let limits = Limits::default();
        assert!(review.title.chars().count() <= limits.max_title_chars);
        assert!(
            review.title.chars().any(char::is_alphanumeric),
            "{:?}",
            review.title
        );
        assert!(review.credits.year.is_some());
    }

    fn fragments() -> impl Strategy<Value = String> {
        let pieces = prop::collection::vec(
            prop_oneof![
                Just("(".to_string()),
                Just(")".to_string()),
                Just(";".to_string()),
                Just(":".to_string()),
                Just("\n".to_string()),
                Just("\r\n".to_string()),
                Just("  ".to_string()),
                Just("GRADE: ".to_string()),
                Just("REVIEWED ON ".to_string()),
                Just("Reviewed on 1/2/".to_string()),
                Just("Reviewed by ".to_string()),
                Just("director: ".to_string()),
                Just("cast: ".to_string()),
                Just("'s ".to_string()),
                Just("’".to_string()),
                Just("“".to_string()),
                Just(", THE".to_string()),
                Just("A –".to_string()),
                Just("1999".to_string()),
                Just("\u{a0}".to_string()),
                "[a-zA-Z0-9 ]{0,8}",
                any::<char>().prop_map(String::from),
            ],
            0..60,
        );
        pieces.prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = Review::parse_bytes(&bytes);
        }

        #[test]
        fn on_review_shaped_text(text in fragments()) {
            if let Ok(review) = Review::parse(&text) {
                holds_the_invariants(&review);
            }
        }

        #[test]
        fn on_pages_of_capsule_shaped_text(parts in prop::collection::vec(fragments(), 1..6)) {
            // Capsule-like paragraphs, a heading and junk between them: every part is a
            // review that holds the invariants, or an error on a line of the text.
            let text = parts.join("\n\nFILM, THE (director: A B; 2001) ");
            let lines = text.split(['\n', '\r']).count();
            let found = Review::parse_page_with(&text, None, &Limits::default());
            prop_assert!(!found.is_empty());
            for part in found {
                prop_assert!((1..=lines).contains(&part.line));
                match part.review {
                    Ok(review) => holds_the_invariants(&review),
                    Err(err) => prop_assert!(err.line.is_none_or(|l| (1..=lines).contains(&l))),
                }
            }
        }

        #[test]
        fn on_mutations_of_a_real_review(cut in 0usize..600, insert in any::<char>()) {
            let mut text = modern(HEADER, "“Q.”", "Nora Lind's X", "REVIEWED ON 1/2/2003  GRADE: B");
            let at = text.char_indices().map(|(i, _)| i).nth(cut % text.chars().count()).unwrap_or(0);
            text.insert(at, insert);
            if let Ok(review) = Review::parse(&text) {
                holds_the_invariants(&review);
            }
            text.truncate(at);
            if let Ok(review) = Review::parse(&text) {
                holds_the_invariants(&review);
            }
        }
    }
}

#[test]
fn a_link_in_the_credits_is_not_a_studio_colon() {
    let r = parse(&modern(
        "(director: Nora Lind; cast: Ann https://example.test/x Lee; producer: Gus Rowe: Neon; 2019)",
        "“Q.”",
        "Nora Lind's X",
        "REVIEWED ON 1/2/2003  GRADE: B",
    ));
    assert_eq!(r.credits.cast[0].actor, "Ann https://example.test/x Lee");
    assert_eq!(r.credits.studio.as_deref(), Some("Neon"));
}

/// A letter page of the critic's old site, as text: the heading, capsules of every form the
/// site has, and the links back to the index at the bottom. Written for these tests.
const LETTER_PAGE: &str = "Dennis Schwartz'
Short Reviews
'F'  5


FOURTH WALL, THE (director: Ada Lind; screenwriter: Ada Lind; cinematographer: Oskar Vale;
 cast: Mira Holt (Jo), Tom Reyes; Runtime: 97; MPAA Rating: PG-13; producer: Lu Chen: Harbor
 Films; 2003) ... Reviewed on 7/21/2004.

A backstage comedy that keeps winking at us until the wink is all there is. GRADE: C+


FERRY NIGHTS (director:Pell Ostrow; cast: Ida Varga; cast: Sam Okafor; 1999) ... Reviewed 9/5/2001.

Two strangers share a crossing and a thermos, and the film trusts them to carry it. GRADE: A-

4TH FLOOR, THE (director: Ines Marr; cast: Bo Kline; Runtime: 88; 1999)

A thriller about a noisy neighbour that gets the dread right and the ending wrong. GRADE: B

CANARY SEASON (SEZONAT NA KANARCHATATA) (director: Evgeni Petrov; cast: Lia Dunn; 1993-Bulgaria, in Bulgarian with English subtitles) Reviewed on 3/2/1996.

A fable of a village and its singers, as bitter as it is lovely. GRADE: A

FLAT TIRE (director: Ned Pruitt; 2011) Reviewed on 1/2/2012.

A road movie that never leaves the driveway, and it knows it.


Back to the index | Home
";

fn page(text: &str) -> Vec<Result<Review, ParseError>> {
    Review::parse_page_with(text, None, &Limits::default())
        .into_iter()
        .map(|part| part.review)
        .collect()
}

#[test]
fn a_letter_page_holds_one_review_per_capsule_and_its_heading_is_skipped() {
    let reviews = page(LETTER_PAGE);
    assert_eq!(reviews.len(), 5, "{reviews:#?}");
    let ok: Vec<&Review> = reviews.iter().filter_map(|r| r.as_ref().ok()).collect();
    let titles: Vec<&str> = ok.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "The Fourth Wall",
            "Ferry Nights",
            "The 4th Floor",
            "Canary Season"
        ]
    );
    assert!(ok.iter().all(|r| r.layout == Layout::Short));
    // Each capsule keeps its own text, not the page's.
    let wall = ok[0];
    assert!(
        wall.raw_text.starts_with("FOURTH WALL, THE"),
        "{}",
        wall.raw_text
    );
    assert!(wall.raw_text.ends_with("GRADE: C+"), "{}", wall.raw_text);
    assert!(!wall.raw_text.contains("FERRY"));
    assert_eq!(wall.grade, Grade::CPlus);
    assert_eq!(
        wall.body,
        "A backstage comedy that keeps winking at us until the wink is all there is."
    );
}

#[test]
fn a_hard_wrapped_capsule_header_is_read_whole() {
    let reviews = page(LETTER_PAGE);
    let wall = reviews[0].as_ref().unwrap();
    assert_eq!(wall.credits.directors, ["Ada Lind"]);
    assert_eq!(wall.credits.cinematographers, ["Oskar Vale"]);
    let cast: Vec<&str> = wall.credits.cast.iter().map(|c| c.actor.as_str()).collect();
    assert_eq!(cast, ["Mira Holt", "Tom Reyes"]);
    assert_eq!(wall.credits.producers, ["Lu Chen"]);
    // The studio was wrapped mid-value: `Harbor` / ` Films`.
    assert_eq!(wall.credits.studio.as_deref(), Some("Harbor Films"));
    assert_eq!(wall.credits.year, Some(2003));
}

#[test]
fn capsule_dates_come_with_or_without_on_and_may_be_missing() {
    let reviews = page(LETTER_PAGE);
    let date = |i: usize| reviews[i].as_ref().unwrap().reviewed_on;
    assert_eq!(
        date(0),
        NaiveDate::from_ymd_opt(2004, 7, 21),
        "… Reviewed on"
    );
    assert_eq!(date(1), NaiveDate::from_ymd_opt(2001, 9, 5), "… Reviewed");
    assert_eq!(date(2), None, "no date");
    assert_eq!(date(3), NaiveDate::from_ymd_opt(1996, 3, 2), "Reviewed on");
    // A date that is not one is still an error, on the header's line.
    let bad = page("GONE GIRL (director: X; 2014) Reviewed on 13/45/2014.\n\nFine. GRADE: B");
    let err = bad[0].as_ref().unwrap_err();
    assert_eq!(err.line, Some(1));
    assert!(err.message.contains("M/D/YYYY"), "{err}");
    let by = page("GONE GIRL (director: X; 2014) Reviewed by a friend.\n\nFine. GRADE: B");
    assert_eq!(by[0].as_ref().unwrap().reviewed_on, None);
}

#[test]
fn repeated_keys_and_a_colon_without_a_space_are_read() {
    let reviews = page(LETTER_PAGE);
    let ferry = reviews[1].as_ref().unwrap();
    assert_eq!(ferry.credits.directors, ["Pell Ostrow"]);
    let cast: Vec<&str> = ferry
        .credits
        .cast
        .iter()
        .map(|c| c.actor.as_str())
        .collect();
    assert_eq!(cast, ["Ida Varga", "Sam Okafor"]);
}

#[test]
fn an_original_title_in_brackets_before_the_credits_is_an_alternative_title() {
    let reviews = page(LETTER_PAGE);
    let canary = reviews[3].as_ref().unwrap();
    assert_eq!(canary.title, "Canary Season");
    assert_eq!(canary.alt_titles, ["Sezonat Na Kanarchatata"]);
    assert_eq!(canary.credits.directors, ["Evgeni Petrov"]);
    assert_eq!(
        canary.credits.release_note.as_deref(),
        Some("Bulgaria, in Bulgarian with English subtitles")
    );
}

#[test]
fn a_broken_capsule_fails_alone_naming_its_line() {
    let reviews = page(LETTER_PAGE);
    let lines: Vec<&str> = LETTER_PAGE.lines().collect();
    let flat = lines
        .iter()
        .position(|l| l.starts_with("FLAT TIRE"))
        .unwrap()
        + 1;
    let err = reviews[4].as_ref().unwrap_err();
    // No grade: the error names the capsule's last line, not the page's.
    assert_eq!(err.line, Some(flat + 2), "{err}");
    assert!(err.message.contains("GRADE"), "{err}");
    // A review whose header cannot be read fails at that header, and the rest stand.
    let text = "SOLID GROUND (director: Ana Bell; 2001)\n\nFirm. GRADE: B\n\nBROKEN HEADER director Nobody 2002\n\nWobbly. GRADE: C\n\nLAST LIGHT (director: Cy Moss; 2003)\n\nDim. GRADE: D";
    let reviews = page(text);
    assert_eq!(reviews.len(), 3, "{reviews:#?}");
    assert_eq!(reviews[0].as_ref().unwrap().title, "Solid Ground");
    let err = reviews[1].as_ref().unwrap_err();
    assert_eq!(err.line, Some(5), "{err}");
    assert!(err.message.contains("credits header"), "{err}");
    assert_eq!(reviews[2].as_ref().unwrap().title, "Last Light");
}

#[test]
fn line_numbers_can_be_the_source_s() {
    // As a web page's text maps its lines back to the HTML.
    let text = "GOOD ONE (director: A B; 2001)\n\nFine. GRADE: B\n\nBAD ONE (director: C D; 2002)\n\nNo grade here.";
    let numbers = [10, 11, 12, 13, 20, 21, 25];
    let parts = Review::parse_page_with(text, Some(&numbers), &Limits::default());
    assert_eq!(parts[0].line, 10);
    assert_eq!(parts[1].line, 20);
    let err = parts[1].review.as_ref().unwrap_err();
    assert_eq!(err.line, Some(25), "{err}");
}

#[test]
fn capsules_without_blank_lines_between_them_are_still_apart() {
    let text = "ONE (director: A B; 2001) Reviewed on 1/2/2003.\nShort. GRADE: B\nTWO (director: C D; 2002)\nShorter. GRADE: C-";
    let reviews = page(text);
    let titles: Vec<&str> = reviews
        .iter()
        .map(|r| r.as_ref().unwrap().title.as_str())
        .collect();
    assert_eq!(titles, ["One", "Two"]);
}

#[test]
fn a_heading_that_runs_into_the_first_capsule_is_still_skipped() {
    let text = "Dennis Schwartz'\nShort Reviews\n'O'  1\nONLY ONE (director: A B; 2001)\n\nFine. GRADE: B+";
    let reviews = page(text);
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].as_ref().unwrap().title, "Only One");
}

#[test]
fn a_single_review_keeps_the_whole_text_and_prose_is_still_not_a_review() {
    let text = "GOOD ONE (director: A B; 2001)\n\nFine. GRADE: B\n";
    let reviews = page(text);
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].as_ref().unwrap().raw_text, text);
    let prose = page("Notes to self.\n\nBuy film.\n");
    assert_eq!(prose.len(), 1);
    let err = prose[0].as_ref().unwrap_err();
    assert_eq!(err.line, Some(1));
    assert!(err.message.contains("credits header"), "{err}");
}

#[test]
fn ordinals_and_digit_words_keep_their_case() {
    for (capitals, readable) in [
        ("4TH FLOOR, THE", "The 4th Floor"),
        ("1ST BLOOD", "1st Blood"),
        ("2ND CHANCE", "2nd Chance"),
        ("3RD MAN, THE", "The 3rd Man"),
        ("13TH WARRIOR, THE", "The 13th Warrior"),
        ("8 HEADS IN A DUFFEL BAG", "8 Heads in a Duffel Bag"),
        ("JAWS 3D", "Jaws 3D"),
        ("2001: A SPACE ODYSSEY", "2001: A Space Odyssey"),
        ("BOYS OF THE 1950S, THE", "The Boys of the 1950s"),
        ("21ST-CENTURY BLUES", "21st-Century Blues"),
        ("AGENT MI5", "Agent MI5"),
    ] {
        assert_eq!(readable_title(capitals), readable, "{capitals}");
    }
}

#[test]
fn a_capsule_whose_review_follows_its_wrapped_header_in_one_paragraph_is_read() {
    // As a web page's `<p>` with `<br>`s leaves it: no blank line, no indent.
    let text = "GULL ROCK (director: Tamsin Vey; screenwriter: Tamsin Vey;\ncast: Liv Osterhout, Amadou Celt;\nRuntime: 97; 2001) Reviewed on 3/4/2002.\nA lighthouse, a winter, a keeper. GRADE: B";
    let r = parse(text);
    assert_eq!(r.title, "Gull Rock");
    assert_eq!(r.credits.year, Some(2001));
    assert_eq!(r.credits.cast.len(), 2);
    assert_eq!(r.reviewed_on, NaiveDate::from_ymd_opt(2002, 3, 4));
    assert_eq!(r.body, "A lighthouse, a winter, a keeper.");
    // A header missing its `)` still ends at its line, and its review is read.
    let text = "GULL ROCK (director: Tamsin Vey; 2001\nA lighthouse, a winter. GRADE: B";
    let r = parse(text);
    assert_eq!(r.credits.year, Some(2001));
    assert_eq!(r.body, "A lighthouse, a winter.");
}

#[test]
fn a_page_of_titles_that_start_with_digits_gives_each_capsule() {
    // As the critic's `numbered` page has them, one straight after another.
    let text = "Dennis Schwartz'\nShort Reviews\n'#'  3\n\n\n1900 (director: Ugo Ferri; 1976)\n\nA century in five hours. GRADE: B\n\n8 1/2 WEEKS (director: Al Dunn; 1986)\n\nNot as long as it feels. GRADE: D\n\n2ND WIND (director: Bea Cole; 1993) Reviewed 4/4/1994.\n\nA runner's comeback. GRADE: C+";
    let titles: Vec<String> = page(text)
        .into_iter()
        .map(|r| r.map(|r| r.title).unwrap_or_else(|e| e.to_string()))
        .collect();
    assert_eq!(titles, ["1900", "8 1/2 Weeks", "2nd Wind"]);
}
