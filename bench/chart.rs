//! A line chart as SVG, written by hand: a logarithmic x axis (archive sizes), a linear y axis
//! from 0, a line with a marker per series, a legend, and a `<title>` and `<desc>` for screen
//! readers. Series are told apart by colour, dash and marker shape, so also in grey print.

use std::fmt::Write as _;

/// One line of the chart.
pub struct Series {
    /// The legend's text.
    pub label: String,
    /// The points (x > 0, y ≥ 0), in any order.
    pub points: Vec<(f64, f64)>,
}

/// How each series is drawn, in order: colour, `stroke-dasharray`, marker.
const STYLES: [(&str, &str, Marker); 6] = [
    ("#1f5fa8", "", Marker::Circle),
    ("#1f5fa8", "6 4", Marker::Square),
    ("#c25400", "2 3", Marker::Triangle),
    ("#2e7d32", "8 3 2 3", Marker::Diamond),
    ("#b00020", "", Marker::Cross),
    ("#555555", "4 2", Marker::Circle),
];

/// The shape of a series' points.
#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
}

/// Width and height of the picture.
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 440.0;
/// The plot area inside the picture.
const LEFT: f64 = 70.0;
const RIGHT: f64 = 560.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 380.0;

/// The chart. `title` is its heading and accessible name, `desc` its accessible description,
/// `x_label` and `y_label` name the axes; `x_format` writes an x value for the axis.
pub fn svg(
    title: &str,
    desc: &str,
    x_label: &str,
    y_label: &str,
    x_format: &dyn Fn(f64) -> String,
    series: &[Series],
) -> String {
    let xs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|x| *x > 0.0)
        .collect();
    let (mut x_min, mut x_max) = xs
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    if xs.is_empty() {
        (x_min, x_max) = (1.0, 10.0);
    }
    // A quarter of a decade of room on each side; a whole one when there is one size only.
    let pad = if x_max / x_min < 1.5 { 0.5 } else { 0.25 };
    let (lo, hi) = (x_min.log10() - pad, x_max.log10() + pad);
    let x_at = |x: f64| LEFT + (x.log10() - lo) / (hi - lo) * (RIGHT - LEFT);

    let y_top = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(0.0_f64, f64::max);
    // Some room above the highest point.
    let step = nice_step(y_top * 1.05);
    let y_max = (y_top * 1.05 / step).ceil().max(1.0) * step;
    let y_at = |y: f64| BOTTOM - y / y_max * (BOTTOM - TOP);

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-labelledby=\"chart-title \
         chart-desc\" font-family=\"sans-serif\" font-size=\"13\">"
    );
    let _ = writeln!(s, "<title id=\"chart-title\">{}</title>", escape(title));
    let _ = writeln!(s, "<desc id=\"chart-desc\">{}</desc>", escape(desc));
    let _ = writeln!(
        s,
        "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{LEFT}\" y=\"28\" font-size=\"16\" font-weight=\"bold\">{}</text>",
        escape(title)
    );

    // Grid and y ticks.
    let _ = writeln!(s, "<g stroke=\"#dddddd\" stroke-width=\"1\">");
    let mut y = 0.0;
    while y <= y_max + step / 2.0 {
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{RIGHT}\" y2=\"{0:.1}\"/>",
            y_at(y)
        );
        y += step;
    }
    let _ = writeln!(s, "</g>");
    let _ = writeln!(s, "<g text-anchor=\"end\" fill=\"#333333\">");
    let mut y = 0.0;
    while y <= y_max + step / 2.0 {
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{:.1}\">{}</text>",
            LEFT - 8.0,
            y_at(y) + 4.0,
            number(y, step)
        );
        y += step;
    }
    let _ = writeln!(s, "</g>");

    // X ticks: the powers of ten in range and every measured size.
    let mut ticks: Vec<f64> = xs.clone();
    let mut power = 10f64.powf(lo.ceil());
    while power.log10() <= hi {
        ticks.push(power);
        power *= 10.0;
    }
    ticks.sort_by(f64::total_cmp);
    ticks.dedup_by(|a, b| (*a / *b - 1.0).abs() < 1e-9);
    let _ = writeln!(s, "<g text-anchor=\"middle\" fill=\"#333333\">");
    for &tick in &ticks {
        let x = x_at(tick);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{BOTTOM}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#333333\"/>",
            BOTTOM + 5.0
        );
        let _ = writeln!(
            s,
            "<text x=\"{x:.1}\" y=\"{}\">{}</text>",
            BOTTOM + 20.0,
            escape(&x_format(tick))
        );
    }
    let _ = writeln!(s, "</g>");

    // Axes and their labels.
    let _ = writeln!(
        s,
        "<path d=\"M{LEFT} {TOP} V{BOTTOM} H{RIGHT}\" fill=\"none\" stroke=\"#333333\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        (LEFT + RIGHT) / 2.0,
        BOTTOM + 45.0,
        escape(x_label)
    );
    let _ = writeln!(
        s,
        "<text transform=\"translate(18 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        (TOP + BOTTOM) / 2.0,
        escape(y_label)
    );

    // The lines, their markers, and the legend.
    for (i, series) in series.iter().enumerate() {
        let (colour, dash, marker) = STYLES[i % STYLES.len()];
        let mut points: Vec<(f64, f64)> = series
            .points
            .iter()
            .copied()
            .filter(|p| p.0 > 0.0)
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        let _ = writeln!(
            s,
            "<g aria-label=\"{}\"><title>{}</title>",
            escape(&series.label),
            escape(&series.label)
        );
        if points.len() > 1 {
            let path: Vec<String> = points
                .iter()
                .map(|&(x, y)| format!("{:.1},{:.1}", x_at(x), y_at(y)))
                .collect();
            let _ = writeln!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" \
                 stroke-width=\"2.5\"{dash_attr}/>",
                path.join(" ")
            );
        }
        for &(x, y) in &points {
            draw_marker(&mut s, marker, colour, x_at(x), y_at(y));
        }
        let _ = writeln!(s, "</g>");
        let legend_y = TOP + 10.0 + i as f64 * 24.0;
        let _ = writeln!(
            s,
            "<line x1=\"{}\" y1=\"{legend_y}\" x2=\"{}\" y2=\"{legend_y}\" stroke=\"{colour}\" \
             stroke-width=\"2.5\"{dash_attr}/>",
            RIGHT + 20.0,
            RIGHT + 56.0
        );
        draw_marker(&mut s, marker, colour, RIGHT + 38.0, legend_y);
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            RIGHT + 64.0,
            legend_y + 4.0,
            escape(&series.label)
        );
    }
    let _ = writeln!(s, "</svg>");
    s
}

/// A marker centred at (`x`, `y`).
fn draw_marker(s: &mut String, marker: Marker, colour: &str, x: f64, y: f64) {
    let _ = match marker {
        Marker::Circle => writeln!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4.5\" fill=\"{colour}\"/>"
        ),
        Marker::Square => writeln!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"#ffffff\" \
             stroke=\"{colour}\" stroke-width=\"2\"/>",
            x - 4.0,
            y - 4.0
        ),
        Marker::Triangle => writeln!(
            s,
            "<path d=\"M{x:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z\" fill=\"{colour}\"/>",
            y - 5.5,
            x + 5.0,
            y + 4.0,
            x - 5.0,
            y + 4.0
        ),
        Marker::Diamond => writeln!(
            s,
            "<path d=\"M{x:.1} {:.1} L{:.1} {y:.1} L{x:.1} {:.1} L{:.1} {y:.1} Z\" \
             fill=\"#ffffff\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            y - 5.5,
            x + 5.5,
            y + 5.5,
            x - 5.5
        ),
        Marker::Cross => writeln!(
            s,
            "<path d=\"M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}\" \
             stroke=\"{colour}\" stroke-width=\"2.5\"/>",
            x - 4.5,
            y - 4.5,
            x + 4.5,
            y + 4.5,
            x - 4.5,
            y + 4.5,
            x + 4.5,
            y - 4.5
        ),
    };
}

/// A step of 1, 2 or 5 times a power of ten that divides `0..=top` into at most 6 parts.
fn nice_step(top: f64) -> f64 {
    if top <= 0.0 || !top.is_finite() {
        return 1.0;
    }
    let rough = top / 6.0;
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power)
}

/// A tick's value, with as many decimals as `step` needs.
fn number(value: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    format!("{value:.decimals$}")
}

/// Text in SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
