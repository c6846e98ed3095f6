//! Geometry of the dashboard's charts (issue 21.1): server-rendered inline SVG, drawn by the
//! templates in `templates/dashboard/_charts.html` from what these functions lay out. No
//! script and no `style` attribute (the CSP forbids inline styles): each shape carries a
//! class, and `static/app.css` fills it with a colour *and* a pattern (solid, hatched,
//! dotted, cross-hatched), so the outcomes can be told apart without colour. Every bar has
//! its value written beside it, and every chart has its numbers in a table next to it.

/// One part of a stacked bar: an outcome and its count.
#[derive(Clone, Copy, Debug)]
pub struct Part {
    /// The CSS class that fills it (`seg-verified`, `seg-failed`, …).
    pub class: &'static str,
    /// What it is, for the shape's tooltip (`failed`).
    pub name: &'static str,
    /// Its count.
    pub value: i64,
}

/// A drawn rectangle.
#[derive(Clone, Debug)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub class: &'static str,
    /// Its tooltip (`<title>`): "2026-12-01: 12 verified".
    pub title: String,
}

/// A value of the vertical axis and where its gridline is.
#[derive(Clone, Debug)]
pub struct Tick {
    pub y: f64,
    pub value: i64,
}

/// A column of a column chart, with its label and total.
#[derive(Clone, Debug)]
pub struct Column {
    pub rects: Vec<Rect>,
    /// The label's centre.
    pub x: f64,
    /// The label under it (only every few columns when there are many).
    pub label: Option<String>,
    /// The total written above it, where it fits.
    pub total: Option<i64>,
    /// Baseline of the total.
    pub total_y: f64,
}

/// Stacked columns over time (verifications per day).
#[derive(Clone, Debug)]
pub struct Columns {
    pub width: f64,
    pub height: f64,
    /// Left edge of the plot (the axis labels are left of it) and its right edge.
    pub left: f64,
    pub right: f64,
    /// Bottom of the plot (the baseline) and where the labels under it sit.
    pub base: f64,
    pub label_y: f64,
    pub ticks: Vec<Tick>,
    pub columns: Vec<Column>,
}

/// A row of a bar chart.
#[derive(Clone, Debug)]
pub struct BarRow {
    /// What the row is, written left of the bar.
    pub name: String,
    /// The baseline of the row's texts.
    pub text_y: f64,
    pub rects: Vec<Rect>,
    /// The value written right of the bar ("120 · 93% verified").
    pub value: String,
    pub value_x: f64,
}

/// Horizontal stacked bars (by method, customer, technician, channel).
#[derive(Clone, Debug)]
pub struct Bars {
    pub width: f64,
    pub height: f64,
    /// Right edge of the names column (text-anchor end), where the bars start.
    pub name_x: f64,
    pub rows: Vec<BarRow>,
}

const COLUMNS_WIDTH: f64 = 720.0;
const COLUMNS_HEIGHT: f64 = 240.0;
const AXIS_WIDTH: f64 = 44.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 28.0;

const BARS_WIDTH: f64 = 720.0;
const NAME_WIDTH: f64 = 180.0;
const VALUE_WIDTH: f64 = 170.0;
const ROW_H: f64 = 28.0;
const BAR_H: f64 = 18.0;

/// Rounds to a tenth of a pixel, so the markup stays short.
fn px(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The smallest "nice" number (1, 2 or 5 times a power of ten) at least `max`, and at least 1.
#[must_use]
pub fn nice_ceiling(max: i64) -> i64 {
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= max {
                return step.saturating_mul(m);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// Lays out stacked columns, one per `(label, parts)`, oldest first. Every `label_every`-th
/// column is labelled; totals are written above the columns when there are at most 31 (more
/// would overlap; the table has them all).
#[must_use]
#[allow(clippy::cast_precision_loss)] // counts and indices far below 2^52
pub fn columns(data: &[(String, Vec<Part>)], label_every: usize) -> Columns {
    let left = AXIS_WIDTH;
    let right = COLUMNS_WIDTH - 8.0;
    let base = COLUMNS_HEIGHT - BOTTOM;
    let plot_h = base - TOP;
    let max = data
        .iter()
        .map(|(_, parts)| parts.iter().map(|p| p.value).sum::<i64>())
        .max()
        .unwrap_or(0);
    let top_value = nice_ceiling(max);
    let scale = plot_h / top_value as f64;
    let slot = (right - left) / data.len().max(1) as f64;
    let bar_w = (slot * 0.7).max(1.0);
    let with_totals = data.len() <= 31;
    let columns = data
        .iter()
        .enumerate()
        .map(|(i, (label, parts))| {
            let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
            let mut y = base;
            let mut rects = Vec::new();
            for p in parts.iter().filter(|p| p.value > 0) {
                let h = p.value as f64 * scale;
                y -= h;
                rects.push(Rect {
                    x: px(x),
                    y: px(y),
                    w: px(bar_w),
                    h: px(h),
                    class: p.class,
                    title: format!("{label}: {} {}", p.value, p.name),
                });
            }
            let total: i64 = parts.iter().map(|p| p.value).sum();
            Column {
                rects,
                x: px(x + bar_w / 2.0),
                label: (i % label_every.max(1) == 0).then(|| label.clone()),
                total: (with_totals && total > 0).then_some(total),
                total_y: px(y - 3.0),
            }
        })
        .collect();
    // A nice top (1, 2 or 5 times a power of ten) splits into whole steps: 1 → 1 step, 2 → 2,
    // anything else → 5 (10 → 2s, 20 → 4s, 50 → 10s), so no label repeats or rounds.
    let steps = match top_value {
        1 => 1,
        2 => 2,
        _ => 5,
    };
    let ticks = (0..=steps)
        .map(|k| Tick {
            y: px(base - plot_h * k as f64 / steps as f64),
            value: top_value * k / steps,
        })
        .collect();
    Columns {
        width: COLUMNS_WIDTH,
        height: COLUMNS_HEIGHT,
        left,
        right,
        base,
        label_y: base + 16.0,
        ticks,
        columns,
    }
}

/// Lays out horizontal stacked bars, one row per `(name, parts, value text)`, all on one
/// scale (the largest total fills the width).
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn bars(data: &[(String, Vec<Part>, String)]) -> Bars {
    let start = NAME_WIDTH;
    let room = BARS_WIDTH - NAME_WIDTH - VALUE_WIDTH;
    let max = data
        .iter()
        .map(|(_, parts, _)| parts.iter().map(|p| p.value).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = room / max as f64;
    let rows = data
        .iter()
        .enumerate()
        .map(|(i, (name, parts, value))| {
            let y = 4.0 + ROW_H * i as f64;
            let mut x = start + 8.0;
            let mut rects = Vec::new();
            for p in parts.iter().filter(|p| p.value > 0) {
                let w = (p.value as f64 * scale).max(1.0);
                rects.push(Rect {
                    x: px(x),
                    y: px(y),
                    w: px(w),
                    h: BAR_H,
                    class: p.class,
                    title: format!("{name}: {} {}", p.value, p.name),
                });
                x += w;
            }
            BarRow {
                name: short(name),
                text_y: px(y + BAR_H - 5.0),
                rects,
                value: value.clone(),
                value_x: px(x + 6.0),
            }
        })
        .collect();
    Bars {
        width: BARS_WIDTH,
        height: ROW_H * data.len() as f64 + 8.0,
        name_x: start,
        rows,
    }
}

/// A name short enough for the names column (the table beside the chart has it whole).
fn short(name: &str) -> String {
    const MAX: usize = 24;
    if name.chars().count() <= MAX {
        name.to_owned()
    } else {
        let mut s: String = name.chars().take(MAX - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(class: &'static str, value: i64) -> Part {
        Part {
            class,
            name: class,
            value,
        }
    }

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(3), 5);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(11), 20);
        assert_eq!(nice_ceiling(4_100), 5_000);
    }

    #[test]
    fn columns_stack_from_the_baseline_and_scale_to_the_largest() {
        let data = vec![
            ("a".to_owned(), vec![part("v", 6), part("f", 4)]),
            ("b".to_owned(), vec![part("v", 5), part("f", 0)]),
        ];
        let c = columns(&data, 1);
        // 10 is the nice top: the first column fills the plot.
        let first = &c.columns[0];
        assert_eq!(first.rects.len(), 2);
        let top = first.rects[1].y;
        assert!((top - TOP).abs() < 0.11, "{top}");
        assert!((first.rects[0].y + first.rects[0].h - c.base).abs() < 0.11);
        // An empty part draws nothing; totals are written.
        assert_eq!(c.columns[1].rects.len(), 1);
        assert_eq!(c.columns[1].total, Some(5));
        assert_eq!(
            c.ticks.iter().map(|t| t.value).collect::<Vec<_>>(),
            vec![0, 2, 4, 6, 8, 10]
        );
        // A top of 1 has two ticks, 0 and 1, never a repeated 0.
        let one = columns(&[("a".to_owned(), vec![part("v", 1)])], 1);
        assert_eq!(
            one.ticks.iter().map(|t| t.value).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn bars_share_one_scale() {
        let data = vec![
            ("big".to_owned(), vec![part("v", 10)], "10".to_owned()),
            ("half".to_owned(), vec![part("v", 5)], "5".to_owned()),
        ];
        let b = bars(&data);
        let w0 = b.rows[0].rects[0].w;
        let w1 = b.rows[1].rects[0].w;
        assert!((w0 - 2.0 * w1).abs() < 0.2, "{w0} {w1}");
        assert_eq!(short(&"x".repeat(30)).chars().count(), 24);
    }
}
