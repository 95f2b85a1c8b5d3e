//! One frame of the window: the overlay's UI pass (its actions applied at once), the map
//! texture re-rendered if the map changed, egui painted to the surface (and to a screenshot),
//! the test hooks, and what wakes the next frame.

use std::time::{Duration, Instant};

use egui::ViewportId;
use winit::event_loop::ActiveEventLoop;

use super::gfx::Painted;
use super::{App, ConsoleError, theme_of};
use crate::ui::{MapInput, apply_style};

impl App {
    /// Whether the map shows the current result (the test hooks count frames from then on).
    pub(super) fn ready(&self) -> bool {
        if self.load_error.is_some() {
            // The wall keeps waiting for its lake; a desktop console reports and ends.
            return !self.options.wall;
        }
        let Some(ctl) = &self.ctl else { return false };
        let Some(gfx) = &self.gfx else { return false };
        ctl.result.is_some()
            && self.awaiting.is_none()
            && gfx.texture_id.is_some()
            && gfx.map.resolution() == ctl.result.as_ref().map(|r| r.scope.res)
            && self.context_done
            && self.pending_fit.is_none()
            && !gfx.map.camera.is_flying()
            && self.basemap.as_ref().is_none_or(|b| b.settled())
    }

    pub(super) fn frame(&mut self, event_loop: &ActiveEventLoop) {
        let now = Instant::now();
        let dt = now.duration_since(self.last_frame).as_secs_f64();
        self.last_frame = now;
        if self.style_dirty {
            self.style_dirty = false;
            let settings = self.settings().clone();
            apply_style(&self.ctx, &settings, self.options.wall);
            if let Some(g) = self.gfx.as_mut() {
                g.map.set_theme(theme_of(&settings));
            }
            self.apply_context_visibility();
        }
        let playing = self.tick_timeline(dt);
        self.poll_timeline();
        let Some(gfx) = self.gfx.as_mut() else { return };
        let mut flying = playing;
        if gfx.map.camera.is_flying() {
            flying = gfx.map.camera.step(dt.min(0.1));
            if !flying {
                self.repick();
            }
        }
        let wall_screen = match (&self.ctl, self.options.wall) {
            (Some(ctl), true) => Some(self.wall_screen(ctl, now)),
            _ => None,
        };
        let Some(gfx) = self.gfx.as_mut() else { return };
        if self.options.wall {
            // Lay the wall out for its screen before the first pass, so the map is fitted to
            // the panel it will keep.
            let zoom = crate::ui::wall::WallScale::zoom_factor(
                gfx.window.inner_size().height as f32,
                gfx.window.scale_factor() as f32,
            );
            if (self.ctx.zoom_factor() - zoom).abs() > 1e-3 {
                self.ctx.set_zoom_factor(zoom);
            }
        }
        // The overlay.
        let raw = gfx.egui_state.take_egui_input(&gfx.window);
        let map_input = MapInput {
            texture: gfx.texture_id,
            hover_row: self.hover_row,
            legend: self.legend.clone(),
            theme: Some(gfx.map.theme()),
            labels: self.labels.clone(),
            attribution: self.basemap.as_ref().map(|b| b.source().attribution_text()),
            split: self.split_shown.clone(),
        };
        let mut actions = Vec::new();
        let mut output = match self.ctl.as_ref() {
            Some(ctl) => {
                let errors = ctl.errors();
                let mut input = ctl.ui_input(
                    &errors,
                    map_input,
                    self.awaiting.is_some(),
                    self.options.wall,
                );
                input.wall_screen = wall_screen;
                input.alerts = self.desk.recent();
                let ui = &mut self.ui;
                self.ctx.run_ui(raw, |root| {
                    actions = ui.show(root, &input);
                })
            }
            None => {
                let mut error = self.load_error.clone();
                if let (Some(e), true) = (&mut error, self.options.wall) {
                    e.push_str(&format!(
                        "\nThe wall tries again every {} s.",
                        super::reload::LOAD_RETRY.as_secs()
                    ));
                }
                let lake = self.options.lake.display().to_string();
                self.ctx
                    .run_ui(raw, |root| loading_screen(root, error.as_deref(), &lake))
            }
        };
        gfx.egui_state
            .handle_platform_output(&gfx.window, std::mem::take(&mut output.platform_output));
        let had_actions = !actions.is_empty();
        for a in actions {
            self.apply_action(a);
        }
        self.submit_query();
        // Map hover or selection may have changed the map; fits may have started flights.
        let Some(gfx) = self.gfx.as_mut() else { return };
        let t_ui = now.elapsed();
        let map_drawn = match gfx.render_map(self.map_size, self.split_shown.is_some()) {
            Ok(drawn) => drawn,
            Err(e) => {
                tracing::error!("map: {e}");
                false
            }
        };
        if map_drawn {
            self.labels = self.map_labels();
            self.ask_for_tiles();
            self.log_shown_generation();
            if !self.first_map_logged && self.ctl.as_ref().is_some_and(|c| c.result.is_some()) {
                self.first_map_logged = true;
                tracing::info!(
                    "first map with data {:.0} ms after start",
                    self.options.started.elapsed().as_secs_f64() * 1000.0
                );
            }
        }
        // Paint egui to the window (and to a texture for screenshots).
        let hooks = self.options.hooks();
        let ready = self.ready();
        let hook_done = hooks.is_some_and(|n| ready && self.ready_frames + 1 >= n);
        let shot = if hook_done {
            self.options.screenshot.clone()
        } else {
            self.screenshot_request.take()
        };
        let repaint = output
            .viewport_output
            .get(&ViewportId::ROOT)
            .map_or(Duration::MAX, |v| v.repaint_delay);
        let Some(gfx) = self.gfx.as_mut() else { return };
        let t_map = now.elapsed();
        let painted = gfx.paint(&self.ctx, output, shot.as_deref());
        tracing::debug!(
            ui_ms = t_ui.as_secs_f64() * 1000.0,
            map_ms = (t_map - t_ui).as_secs_f64() * 1000.0,
            paint_ms = (now.elapsed() - t_map).as_secs_f64() * 1000.0,
            map_drawn,
            "frame"
        );
        match painted {
            Ok(Painted::Presented) => {
                self.frames += 1;
                if !self.first_frame_logged {
                    self.first_frame_logged = true;
                    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                    tracing::info!(
                        "first frame presented {:.0} ms after start (event loop up at {:.0} ms, \
                         window and GPU {:.0} ms, the frame itself {:.0} ms)",
                        ms(self.options.started.elapsed()),
                        ms(self.startup.0),
                        ms(self.startup.1),
                        ms(now.elapsed()),
                    );
                }
                if let Some(path) = &shot {
                    let msg = format!("Saved {}", path.display());
                    tracing::info!("{msg}");
                    if let Some(ctl) = self.ctl.as_mut() {
                        ctl.set_status(msg);
                    }
                }
                if ready && hooks.is_some() {
                    self.ready_frames += 1;
                }
            }
            Ok(Painted::Skipped) => {
                if let Some(p) = shot
                    && !hook_done
                {
                    self.screenshot_request = Some(p);
                }
                // Minimised or occluded: try again shortly, without spinning.
                self.egui_deadline = Some(Instant::now() + Duration::from_millis(100));
                return;
            }
            Err(e) => {
                if hook_done {
                    self.fail(event_loop, e);
                    return;
                }
                tracing::error!("{e}");
                if let Some(ctl) = self.ctl.as_mut() {
                    ctl.set_status(format!("{e}"));
                }
            }
        }
        if hook_done {
            if let Some(e) = self.load_error.clone() {
                self.fail(
                    event_loop,
                    ConsoleError::Lake {
                        path: self.options.lake.clone(),
                        detail: e,
                    },
                );
                return;
            }
            tracing::info!(frames = self.frames, "test hook: exiting");
            self.exit(event_loop);
            return;
        }
        // What wakes the next frame.
        if repaint.is_zero() || flying || had_actions || (hooks.is_some() && ready) {
            self.request_redraw();
        } else if repaint < Duration::from_secs(3600) {
            self.egui_deadline = Some(Instant::now() + repaint);
        }
        // The wall's clock and countdown tick every second.
        if self.options.wall {
            let t = Instant::now() + Duration::from_secs(1);
            self.egui_deadline = Some(self.egui_deadline.map_or(t, |d| d.min(t)));
        }
        if self.ctl.as_ref().is_some_and(|c| c.status().is_some()) {
            let t = Instant::now() + Duration::from_millis(500);
            self.egui_deadline = Some(self.egui_deadline.map_or(t, |d| d.min(t)));
        }
    }

    /// Saves the window size (when windowed and not set by a flag) and the settings, and ends
    /// the event loop.
    pub(super) fn exit(&mut self, event_loop: &ActiveEventLoop) {
        if let (Some(ctl), Some(g)) = (self.ctl.as_mut(), self.gfx.as_ref())
            && g.window.fullscreen().is_none()
            && self.options.size.is_none()
        {
            let size = g
                .window
                .inner_size()
                .to_logical::<f64>(g.window.scale_factor());
            ctl.settings.window_size = (size.width.round() as u32, size.height.round() as u32);
        }
        if let Some(ctl) = self.ctl.as_mut() {
            ctl.save_settings();
        }
        event_loop.exit();
    }
}

/// What the window shows before the lake is loaded (or when it cannot be).
fn loading_screen(root: &mut egui::Ui, error: Option<&str>, lake: &str) {
    egui::CentralPanel::default().show(root, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.38);
            ui.heading("Hotspot");
            match error {
                None => {
                    ui.label("Loading the lake…");
                    ui.label(egui::RichText::new(lake).weak().small());
                }
                Some(e) => {
                    ui.label(
                        egui::RichText::new(format!("Cannot load the lake at {lake}"))
                            .color(egui::Color32::from_rgb(0xef, 0x62, 0x48)),
                    );
                    ui.label(e);
                }
            }
        });
    });
}
