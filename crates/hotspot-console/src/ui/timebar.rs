//! The time bar under the map: closed, a button that opens it; open, play/pause, frame steps,
//! the step and window, speed, loop, and a scrubber over the lake's whole date range with
//! the frame under the playhead.

use egui::RichText;
use hotspot_scope::{TimeStep, Timeline};

use super::Action;
use crate::timebar::{SPEEDS, TimeBar};

/// Windows offered for each frame: the step itself, or these many days.
const WINDOWS: [Option<u32>; 5] = [None, Some(7), Some(28), Some(90), Some(365)];

fn window_label(w: Option<u32>) -> String {
    match w {
        None => "the step".into(),
        Some(d) => format!("{d} days"),
    }
}

pub fn show(ui: &mut egui::Ui, t: &TimeBar, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        if !t.open {
            if ui
                .button("▶ Play through time")
                .on_hover_text("Step the map, KPIs and charts through the lake's whole date range")
                .clicked()
            {
                actions.push(Action::TimelineOpen);
            }
            timeline_choice(ui, t.timeline, actions);
            return;
        }
        let frames = t.frames();
        let ready = frames > 0;
        let label = if t.playing { "Pause" } else { "▶ Play" };
        if ui
            .add_enabled(ready, egui::Button::new(label))
            .on_hover_text("Space")
            .clicked()
        {
            actions.push(Action::TimelinePlay(!t.playing));
        }
        if ui
            .add_enabled(ready, egui::Button::new("◀"))
            .on_hover_text("One frame back (←)")
            .clicked()
        {
            actions.push(Action::TimelineStep(-1));
        }
        if ui
            .add_enabled(ready, egui::Button::new("▶|"))
            .on_hover_text("One frame on (→)")
            .clicked()
        {
            actions.push(Action::TimelineStep(1));
        }
        timeline_choice(ui, t.timeline, actions);
        let mut speed = t.speed;
        egui::ComboBox::new("timeline-speed", "speed")
            .selected_text(format!("{speed} frames/s"))
            .show_ui(ui, |ui| {
                for s in SPEEDS {
                    if ui
                        .selectable_value(&mut speed, s, format!("{s} frames/s"))
                        .clicked()
                    {
                        actions.push(Action::SetTimelineSpeed(s));
                    }
                }
            });
        let mut looping = t.looping;
        if ui.checkbox(&mut looping, "Loop").changed() {
            actions.push(Action::SetTimelineLoop(looping));
        }
    });
    if t.open {
        // The scrubber gets a row of its own, with the frame's dates, export and close at its
        // right end.
        let frames = t.frames();
        let ready = frames > 0;
        ui.horizontal(|ui| {
        // The rest of the row from the right: close, export, the frame's dates, and the
            // scrubber in what is left (room kept for the longest dates, "26 Dec 2025 – 1 Jan
            // 2026").
            let room = ui.available_width();
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button("×")
                    .on_hover_text("Close the time bar (the period before comes back)")
                    .clicked()
                {
                    actions.push(Action::TimelineClose);
                }
                if ui
                    .add_enabled(ready, egui::Button::new("Export GIF"))
                    .on_hover_text(
                        "Write the timeline of this view as an animated GIF (in the current directory)",
                    )
                    .clicked()
                {
                    actions.push(Action::ExportAnimation);
                }
                if let Some((i, f)) = t.frame() {
                    let dates = hotspot_scope::Period::Range {
                        from: f.from,
                        to: f.to,
                    }
                    .label();
                    let label = ui.label(RichText::new(dates).strong());
                    let mut p = t.position;
                    let last = (frames - 1) as f32;
                    ui.spacing_mut().slider_width = (room - 330.0).max(80.0);
                    let r = ui
                        .add(
                            egui::Slider::new(&mut p, 0.0..=last)
                                .show_value(false)
                                .step_by(0.0),
                        )
                        .labelled_by(label.id)
                        .on_hover_text(format!("frame {} of {frames}", i + 1));
                    if r.changed() {
                        actions.push(Action::TimelineSeek(p));
                    }
                } else if let Some(e) = t.error() {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                } else {
                    ui.label(RichText::new("building the timeline…").weak());
                }
            });
        });
    }
}

fn timeline_choice(ui: &mut egui::Ui, current: Timeline, actions: &mut Vec<Action>) {
    let mut t = current;
    egui::ComboBox::new("timeline-step", "step")
        .selected_text(format!("every {}", t.step.name()))
        .show_ui(ui, |ui| {
            for s in TimeStep::ALL {
                ui.selectable_value(&mut t.step, s, format!("every {}", s.name()));
            }
        });
    egui::ComboBox::new("timeline-window", "window")
        .selected_text(format!("covering {}", window_label(t.window_days)))
        .show_ui(ui, |ui| {
            for w in WINDOWS {
                ui.selectable_value(
                    &mut t.window_days,
                    w,
                    format!("covering {}", window_label(w)),
                );
            }
        });
    if t != current {
        actions.push(Action::SetTimeline(t));
    }
}
