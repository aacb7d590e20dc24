//! The grade chart of `/stats`: how many films got each grade, as a PNG drawn in memory with
//! plotters (its font comes from a crate, not from the system), or as bars in a terminal.

use std::sync::OnceLock;

use anyhow::Context;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::band_colour;
use crate::review::{Grade, GradeCounts};

/// The attachment's file name (the embed shows `attachment://grades.png`).
pub const FILE_NAME: &str = "grades.png";
pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 450;
/// The font family the chart asks plotters for.
const FONT: &str = "sans-serif";
/// The longest bar in a terminal, in characters.
const TEXT_BAR: u32 = 40;

/// Registers the bundled font with plotters, once per process.
fn font() -> anyhow::Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT)
            .is_ok()
    });
    anyhow::ensure!(ok, "the chart's built-in font cannot be read");
    Ok(())
}

/// The colour of a grade's bar: its band's colour, as on review cards.
pub fn bar_colour(grade: Grade) -> [u8; 3] {
    let [_, r, g, b] = band_colour(grade).to_be_bytes();
    [r, g, b]
}

/// The chart as a PNG: one bar per grade (A+ … F) whose height is its count, the count above
/// it, `title` on top.
pub fn png(title: &str, counts: &GradeCounts) -> anyhow::Result<Vec<u8>> {
    font()?;
    // The caption holds about 60 characters at this size; a name from a review may be longer.
    let title = super::truncate(title, 64);
    let title = title.as_str();
    let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    draw(&mut pixels, title, counts).map_err(|e| anyhow::anyhow!("cannot draw the chart: {e}"))?;
    encode(&pixels)
}

fn draw(
    pixels: &mut [u8],
    title: &str,
    counts: &GradeCounts,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let root = BitMapBackend::with_buffer(pixels, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let most = counts.iter().map(|(_, n)| n).max().unwrap_or(0).max(1);
    // Head room for the count over the tallest bar.
    let top = most.saturating_add(most.div_ceil(8).max(1));
    let grades = Grade::ALL.len() as u32;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT, 24))
        .margin(16)
        .x_label_area_size(36)
        .y_label_area_size(52)
        // A segmented range holds its end too: 0..12 is the 13 grades.
        .build_cartesian_2d((0..grades - 1).into_segmented(), 0..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(Grade::ALL.len())
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => Grade::from_rank(i64::from(*i))
                .map(|g| g.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        })
        .y_desc("films")
        .label_style((FONT, 16))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    let shown: Vec<(Grade, u32)> = counts.iter().filter(|(_, n)| *n > 0).collect();
    chart.draw_series(shown.iter().map(|&(grade, n)| {
        let i = u32::from(grade.rank());
        let mut bar = Rectangle::new(
            [(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), n)],
            {
                let [r, g, b] = bar_colour(grade);
                RGBColor(r, g, b).filled()
            },
        );
        bar.set_margin(0, 0, 8, 8);
        bar
    }))?;
    let label = TextStyle::from((FONT, 16).into_font())
        .color(&RGBColor(40, 40, 40))
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    chart.draw_series(shown.iter().map(|&(grade, n)| {
        Text::new(
            n.to_string(),
            (SegmentValue::CenterOf(u32::from(grade.rank())), n),
            label.clone(),
        )
    }))?;
    root.present()?;
    Ok(())
}

fn encode(pixels: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().context("cannot encode the chart")?;
    writer
        .write_image_data(pixels)
        .context("cannot encode the chart")?;
    writer.finish().context("cannot encode the chart")?;
    Ok(out)
}

/// The chart as text: a bar of `█` per grade, scaled to the largest count, with the count.
pub fn text_bars(counts: &GradeCounts) -> String {
    let most = counts.iter().map(|(_, n)| n).max().unwrap_or(0).max(1);
    let mut out = String::new();
    for (grade, n) in counts.iter() {
        let width = if n == 0 {
            0
        } else {
            ((u64::from(n) * u64::from(TEXT_BAR) + u64::from(most) / 2) / u64::from(most)).max(1)
        };
        out.push_str(&format!(
            "{:<3}{} {n}\n",
            grade.as_str(),
            "█".repeat(usize::try_from(width).unwrap_or(0))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bars found in a decoded chart, left to right: (colour, height in pixels).
    fn bars(png_bytes: &[u8]) -> Vec<([u8; 3], u32)> {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let colours: Vec<[u8; 3]> = Grade::ALL.iter().map(|g| bar_colour(*g)).collect();
        let pixel = |x: u32, y: u32| -> [u8; 3] {
            let i = ((y * WIDTH + x) * 3) as usize;
            [buf[i], buf[i + 1], buf[i + 2]]
        };
        // Each column's bar colour and how many pixels of it the column holds.
        let columns: Vec<Option<([u8; 3], u32)>> = (0..WIDTH)
            .map(|x| {
                colours.iter().find_map(|c| {
                    let n = (0..HEIGHT).filter(|&y| pixel(x, y) == *c).count() as u32;
                    (n > 0).then_some((*c, n))
                })
            })
            .collect();
        // Runs of columns of one colour are one bar; its height is its tallest column.
        let mut found: Vec<([u8; 3], u32)> = Vec::new();
        let mut previous: Option<[u8; 3]> = None;
        for column in columns {
            match column {
                Some((c, n)) if previous == Some(c) => {
                    if let Some(last) = found.last_mut() {
                        last.1 = last.1.max(n);
                    }
                }
                Some((c, n)) => {
                    found.push((c, n));
                    previous = Some(c);
                }
                None => previous = None,
            }
        }
        found
    }

    #[test]
    fn the_png_has_a_bar_per_graded_grade_as_tall_as_its_count() {
        let mut counts = GradeCounts::default();
        for (grade, n) in [
            (Grade::APlus, 3),
            (Grade::A, 12),
            (Grade::BMinus, 7),
            (Grade::C, 1),
            (Grade::F, 5),
        ] {
            counts.add(grade, n);
        }
        let png = png("Grades: test", &counts).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let found = bars(&png);
        let expected: Vec<(Grade, u32)> = counts.iter().filter(|(_, n)| *n > 0).collect();
        assert_eq!(found.len(), expected.len(), "{found:?}");
        let (_, tallest) = found[1];
        let per_film = f64::from(tallest) / 12.0;
        for ((colour, height), (grade, n)) in found.iter().zip(&expected) {
            assert_eq!(*colour, bar_colour(*grade), "{grade}");
            let want = f64::from(*n) * per_film;
            assert!(
                (f64::from(*height) - want).abs() <= 2.0,
                "{grade}: {height} px for {n}, want {want:.1}"
            );
        }
        // A count twice another is a bar twice as tall, near enough.
        assert!(found[1].1 > found[2].1 && found[2].1 > found[4].1);
    }

    #[test]
    fn an_empty_chart_still_draws() {
        let png = png("Nothing", &GradeCounts::default()).unwrap();
        assert!(bars(&png).is_empty());
    }

    #[test]
    fn a_hostile_title_and_huge_counts_still_draw() {
        let mut counts = GradeCounts::default();
        counts.add(Grade::A, u32::MAX);
        counts.add(Grade::F, 1);
        let title = format!("{}\u{202e}**<@1>**\0", "名".repeat(5000));
        let png = png(&title, &counts).unwrap();
        // One film among four billion is less than a pixel: one bar shows, and nothing panics.
        assert_eq!(bars(&png).len(), 1);
    }

    #[test]
    fn text_bars_scale_to_the_largest_count() {
        let mut counts = GradeCounts::default();
        counts.add(Grade::A, 10);
        counts.add(Grade::B, 5);
        counts.add(Grade::F, 1);
        let text = text_bars(&counts);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 13);
        let bar = |line: &str| line.chars().filter(|c| *c == '█').count();
        assert_eq!(bar(lines[1]), 40);
        assert_eq!(bar(lines[4]), 20);
        assert_eq!(bar(lines[12]), 4);
        assert_eq!(bar(lines[0]), 0);
        assert!(
            lines[1].starts_with("A  ") && lines[1].ends_with(" 10"),
            "{}",
            lines[1]
        );
    }
}
