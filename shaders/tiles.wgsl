// hotspot-render: raster basemap tiles under the cells.
//
// One instance per drawn tile: its rectangle (metres relative to the camera centre, north
// up) and the part of its texture to show (all of it, or a quarter of a quarter of a parent
// while the tile itself is still on its way). Tile textures hold sRGB-encoded bytes; they are
// filtered as they are and converted for an sRGB target, like every other colour here. In
// the dark theme the tiles are dimmed and desaturated toward the background so the cells
// stay what the eye reads first.

struct View {
    half_size: vec2<f32>,
    px_per_m: f32,
    srgb_target: u32,
    // rgb: the background to mix toward; a: how much (0 = the tile as it is).
    dim: vec4<f32>,
};

@group(0) @binding(0) var<uniform> view: View;
@group(0) @binding(1) var samp: sampler;
@group(1) @binding(0) var tile: texture_2d<f32>;

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

fn to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + vec3<f32>(0.055)) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

@vertex
fn vs_tile(
    @builtin(vertex_index) i: u32,
    // (west, north, east, south) in metres relative to the camera centre.
    @location(0) rect: vec4<f32>,
    // (u0, v0, u1, v1) of the texture.
    @location(1) uv: vec4<f32>,
) -> VsOut {
    let fx = f32(i & 1u);
    let fy = f32((i >> 1u) & 1u);
    let p = vec2<f32>(mix(rect.x, rect.z, fx), mix(rect.y, rect.w, fy));
    var out: VsOut;
    out.position = vec4<f32>(p * view.px_per_m / view.half_size, 0.0, 1.0);
    out.uv = vec2<f32>(mix(uv.x, uv.z, fx), mix(uv.y, uv.w, fy));
    return out;
}

@fragment
fn fs_tile(in: VsOut) -> @location(0) vec4<f32> {
    var c = textureSample(tile, samp, in.uv);
    let grey = dot(c.rgb, vec3<f32>(0.299, 0.587, 0.114));
    let muted = mix(c.rgb, vec3<f32>(grey), view.dim.a);
    c = vec4<f32>(mix(muted, view.dim.rgb, view.dim.a), c.a);
    if (view.srgb_target != 0u) {
        c = vec4<f32>(to_linear(c.rgb), c.a);
    }
    return c;
}
