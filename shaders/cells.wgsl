// hotspot-render: H3 cell fills.
//
// Geometry is resident (one fan per cell, positions relative to a local origin in Web Mercator
// metres); a metric change only rewrites `values`. The colour is computed once per vertex from
// the slot's value (domain transform + palette lookup texture) and passed flat: no per-fragment
// work, which matters on software rasterisers.

struct View {
    // (geometry origin - camera centre) in metres.
    offset: vec2<f32>,
    // Viewport half size in physical pixels.
    half_size: vec2<f32>,
    // Physical pixels per metre.
    px_per_m: f32,
    // Gap between cells in pixels (0 = cells share edges exactly).
    outline_px: f32,
    // Fill opacity.
    opacity: f32,
    // 1 when the render target is sRGB (colours must be linearised).
    srgb_target: u32,
};

struct Style {
    no_data: vec4<f32>,
    // The map background: colours are mixed with it here, so cells are opaque and the
    // pipeline needs no blending (cheaper on software rasterisers). Alpha 0 means a basemap
    // is under the cells: colours keep their alpha for the blended pipeline.
    background: vec4<f32>,
    hover_slot: u32,
    selected_slot: u32,
    // 0 linear, 1 log, 2 quantile.
    mode: u32,
    n_breaks: u32,
    lo: f32,
    hi: f32,
    log_span: f32,
    dim_alpha: f32,
    breaks: array<vec4<f32>, 4>,
    // Timeline playback: the value mixes frames tl_a and tl_b of `timeline` by tl_t.
    // tl_flags bit 0: playing; bit 1: a zero means no data (counts).
    tl_a: u32,
    tl_b: u32,
    tl_t: f32,
    tl_flags: u32,
};

const NO_DATA: u32 = 0xffffffffu;
const FLAG_HIDDEN: u32 = 1u;
const FLAG_DIM: u32 = 2u;

@group(0) @binding(0) var<uniform> view: View;
@group(0) @binding(1) var<uniform> style: Style;
@group(0) @binding(2) var lut: texture_2d<f32>;
@group(1) @binding(0) var<storage, read> values: array<u32>;
@group(1) @binding(1) var<storage, read> flags: array<u32>;
// Every frame of a timeline, frame-major in slot order.
@group(1) @binding(2) var<storage, read> timeline: array<u32>;

// The value of `slot` between two timeline frames: mixed when both have data, else the
// nearer one's.
fn timeline_bits(slot: u32) -> u32 {
    let n = arrayLength(&values);
    let a = timeline[style.tl_a * n + slot];
    let b = timeline[style.tl_b * n + slot];
    var bits: u32;
    if (a == NO_DATA || b == NO_DATA) {
        bits = select(a, b, style.tl_t >= 0.5);
    } else {
        bits = bitcast<u32>(mix(bitcast<f32>(a), bitcast<f32>(b), style.tl_t));
    }
    if ((style.tl_flags & 2u) != 0u && bits != NO_DATA && bitcast<f32>(bits) == 0.0) {
        bits = NO_DATA;
    }
    return bits;
}

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) @interpolate(flat) color: vec4<f32>,
};

fn to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + vec3<f32>(0.055)) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

fn domain_t(v: f32) -> f32 {
    var t = 0.0;
    if (style.mode == 1u) {
        t = log(1.0 + max(v - style.lo, 0.0)) / style.log_span;
    } else if (style.mode == 2u) {
        var count = 0u;
        for (var i = 0u; i < style.n_breaks; i = i + 1u) {
            if (v >= style.breaks[i / 4u][i % 4u]) {
                count = count + 1u;
            }
        }
        t = f32(count) / f32(max(style.n_breaks, 1u));
    } else {
        t = (v - style.lo) / max(style.hi - style.lo, 1e-30);
    }
    return clamp(t, 0.0, 1.0);
}

@vertex
fn vs_cell(
    @location(0) pos: vec2<f32>,
    @location(1) inset: vec2<f32>,
    @location(2) slot: u32,
) -> VsOut {
    var out: VsOut;
    let f = flags[slot];
    if ((f & FLAG_HIDDEN) != 0u) {
        // Outside the clip volume: the whole cell is culled.
        out.position = vec4<f32>(0.0, 0.0, 2.0, 1.0);
        out.color = vec4<f32>(0.0);
        return out;
    }
    var bits = values[slot];
    if ((style.tl_flags & 1u) != 0u) {
        bits = timeline_bits(slot);
    }
    var c: vec4<f32>;
    if (bits == NO_DATA) {
        c = style.no_data;
    } else {
        let t = domain_t(bitcast<f32>(bits));
        c = textureLoad(lut, vec2<i32>(i32(round(t * 255.0)), 0), 0);
        c.a = c.a * view.opacity;
    }
    if ((f & FLAG_DIM) != 0u) {
        c = vec4<f32>(mix(c.rgb, style.background.rgb, 0.6), c.a * style.dim_alpha);
    }
    if (slot == style.hover_slot) {
        c = vec4<f32>(mix(c.rgb, vec3<f32>(1.0), 0.3), min(1.0, c.a + 0.15));
    }
    if (style.background.a > 0.5) {
        c = vec4<f32>(mix(style.background.rgb, c.rgb, c.a), 1.0);
    }
    if (view.srgb_target != 0u) {
        c = vec4<f32>(to_linear(c.rgb), c.a);
    }
    let p = pos + inset * (view.outline_px * 0.5 / view.px_per_m);
    let xy = (p + view.offset) * view.px_per_m / view.half_size;
    out.position = vec4<f32>(xy, 0.0, 1.0);
    out.color = c;
    return out;
}

@fragment
fn fs_cell(in: VsOut) -> @location(0) vec4<f32> {
    return in.color;
}
