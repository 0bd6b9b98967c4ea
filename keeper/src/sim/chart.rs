//! Charts of a run and of a comparison: panels drawn once for any plotters backend and written
//! as SVG and PNG. Text is set in DejaVu Sans, embedded in the binary, so the PNG reads the same
//! on every machine (the bitmap backend has no system font to fall back on).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

/// Pixel size of every chart.
pub const SIZE: (u32, u32) = (1200, 900);

/// What one panel shows.
#[derive(Clone, Debug)]
pub enum Plot {
    /// Named series over the x axis `x_desc` (one point per index).
    Lines {
        /// The x axis' name.
        x_desc: String,
        /// `(name, values)` of each line.
        series: Vec<(String, Vec<f64>)>,
    },
    /// One labelled bar per value, coloured by `groups[i]`.
    Bars {
        /// Bar labels.
        labels: Vec<String>,
        /// Bar heights.
        values: Vec<f64>,
        /// Colour index of each bar.
        groups: Vec<usize>,
    },
}

/// One panel: a title and its plot.
#[derive(Clone, Debug)]
pub struct Panel {
    /// Caption.
    pub title: String,
    /// Content.
    pub plot: Plot,
}

/// Writes `panels` on a `(rows, columns)` grid to `<dir>/<stem>.svg` and `<dir>/<stem>.png`;
/// returns both paths.
pub fn write(
    dir: &Path,
    stem: &str,
    grid: (usize, usize),
    panels: &[Panel],
) -> Result<(PathBuf, PathBuf)> {
    fonts()?;
    let svg = dir.join(format!("{stem}.svg"));
    draw(
        SVGBackend::new(&svg, SIZE).into_drawing_area(),
        grid,
        panels,
    )?;
    let png = dir.join(format!("{stem}.png"));
    draw(
        BitMapBackend::new(&png, SIZE).into_drawing_area(),
        grid,
        panels,
    )?;
    Ok((svg, png))
}

/// Registers the embedded font as `sans-serif` (once per process).
fn fonts() -> Result<()> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "the embedded DejaVu Sans does not parse".to_string())
        })
        .clone()
        .map_err(|e| anyhow!(e))
}

fn fail<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing a chart: {e}")
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    grid: (usize, usize),
    panels: &[Panel],
) -> Result<()> {
    root.fill(&WHITE).map_err(fail)?;
    for (area, panel) in root.split_evenly(grid).iter().zip(panels) {
        match &panel.plot {
            Plot::Lines { x_desc, series } => lines(area, &panel.title, x_desc, series)?,
            Plot::Bars {
                labels,
                values,
                groups,
            } => bars(area, &panel.title, labels, values, groups)?,
        }
    }
    root.present().map_err(fail)
}

/// The top of a value axis: 10% above the largest value (1 when all are zero or negative).
fn top(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| v.is_finite()).fold(1.0f64, f64::max) * 1.1
}

fn lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_desc: &str,
    series: &[(String, Vec<f64>)],
) -> Result<()> {
    let points = series.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
    let max = top(series.iter().flat_map(|(_, v)| v.iter().copied()));
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..points.max(1) as f64, 0f64..max)
        .map_err(fail)?;
    chart.configure_mesh().x_desc(x_desc).draw().map_err(fail)?;
    for (i, (name, values)) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                values.iter().enumerate().map(|(x, y)| (x as f64, *y)),
                color.stroke_width(2),
            ))
            .map_err(fail)?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], color));
    }
    if series.len() > 1 {
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .draw()
            .map_err(fail)?;
    }
    Ok(())
}

fn bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    labels: &[String],
    values: &[f64],
    groups: &[usize],
) -> Result<()> {
    let n = values.len();
    let max = top(values.iter().copied());
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(70)
        // A segmented range `a..b` has a segment for each of `a..=b`.
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), 0f64..max)
        .map_err(fail)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.max(1))
        .y_label_formatter(&|y| figure(*y))
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                labels.get(*i).cloned().unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        })
        .draw()
        .map_err(fail)?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, v)| {
            let color = Palette99::pick(groups.get(i).copied().unwrap_or(0)).to_rgba();
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), *v),
                ],
                color.filled(),
            );
            bar.set_margin(0, 0, 8, 8);
            bar
        }))
        .map_err(fail)?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, v)| {
            Text::new(
                figure(*v),
                (SegmentValue::CenterOf(i), *v),
                ("sans-serif", 14)
                    .into_font()
                    .into_text_style(area)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            )
        }))
        .map_err(fail)?;
    Ok(())
}

/// A figure on a bar or a value axis: whole numbers, thousands as `k`, millions as `M`.
fn figure(v: f64) -> String {
    if v.abs() >= 10_000_000.0 {
        format!("{:.0}M", v / 1_000_000.0)
    } else if v.abs() >= 10_000.0 {
        format!("{:.0}k", v / 1_000.0)
    } else {
        format!("{v:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panels() -> Vec<Panel> {
        vec![
            Panel {
                title: "Prices (start = 100)".into(),
                plot: Plot::Lines {
                    x_desc: "step".into(),
                    series: vec![
                        (
                            "SOL".into(),
                            (0..60).map(|i| 100.0 - f64::from(i)).collect(),
                        ),
                        (
                            "ETH".into(),
                            (0..60).map(|i| 100.0 - f64::from(i) / 2.0).collect(),
                        ),
                    ],
                },
            },
            Panel {
                title: "Bad debt ($)".into(),
                plot: Plot::Bars {
                    labels: vec!["fixed".into(), "ramp".into(), "sentinel".into()],
                    values: vec![12_000.0, 4_000.0, 0.0],
                    groups: vec![0, 1, 2],
                },
            },
        ]
    }

    #[test]
    fn successful_chart_writes_a_png_with_text_and_series_and_the_same_svg() {
        let dir = std::env::temp_dir().join(format!("sentinel-chart-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let (svg, png) = write(&dir, "test_chart", (1, 2), &panels()).expect("charts");
        let svg = std::fs::read_to_string(svg).expect("svg");
        assert!(svg.contains("Prices (start = 100)") && svg.contains("Bad debt ($)"));
        assert!(svg.contains("sentinel") && svg.contains("12k"));
        let image = image::open(&png).expect("a PNG").to_rgb8();
        assert_eq!(image.dimensions(), SIZE);
        // Text and axes (near black) and the coloured lines and bars (not grey) are drawn.
        let dark = image
            .pixels()
            .filter(|p| p.0.iter().all(|c| *c < 80))
            .count();
        let colored = image
            .pixels()
            .filter(|p| {
                let (lo, hi) = (p.0.iter().min(), p.0.iter().max());
                matches!((lo, hi), (Some(lo), Some(hi)) if hi - lo > 100)
            })
            .count();
        assert!(dark > 2_000, "{dark} dark pixels");
        assert!(colored > 20_000, "{colored} coloured pixels");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn successful_bar_figures_are_short() {
        assert_eq!(figure(12_345.0), "12k");
        assert_eq!(figure(987.4), "987");
        assert_eq!(figure(25_000_000.0), "25M");
    }
}
