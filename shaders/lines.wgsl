// hotspot-render: context layers, footprint fill and cell highlight outlines.
//
// Lines come from lyon's stroke tessellator as (position on path, normal) pairs and are
// extruded here, so their width is constant in screen pixels at every zoom. Fills use a zero
// normal.

struct Line {
    // (mesh origin - camera centre) in metres.
    offset: vec2<f32>,
    half_size: vec2<f32>,
    px_per_m: f32,
    // Half the line width in physical pixels.
    half_width_px: f32,
    srgb_target: u32,
    _pad: u32,
    color: vec4<f32>,
};

@group(0) @binding(0) var<uniform> line: Line;

fn to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + vec3<f32>(0.055)) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

@vertex
fn vs_line(@location(0) pos: vec2<f32>, @location(1) normal: vec2<f32>) -> @builtin(position) vec4<f32> {
    let p = pos + normal * (line.half_width_px / line.px_per_m);
    let xy = (p + line.offset) * line.px_per_m / line.half_size;
    return vec4<f32>(xy, 0.0, 1.0);
}

@fragment
fn fs_line() -> @location(0) vec4<f32> {
    var c = line.color;
    if (line.srgb_target != 0u) {
        c = vec4<f32>(to_linear(c.rgb), c.a);
    }
    return c;
}
