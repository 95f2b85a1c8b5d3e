//! Every sandbox limit trips with a message naming the script, and a broken script never
//! replaces the last good one.

use std::path::Path;
use std::time::{Duration, Instant};

use hotspot_script::{ErrorKind, Limits, ScriptError, ScriptHost};

/// A scripts directory named `scripts` inside a temp dir, with `files` written into it.
fn scripts(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("scripts");
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    std::fs::create_dir_all(&dir).expect("mkdir");
    (tmp, dir)
}

fn only_error(host: &ScriptHost) -> ScriptError {
    let errors = host.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors[0].clone()
}

const GOOD: &str = r##"[
    #{ name: "mine", stops: ["#000000", "#ffffff"] },
]
"##;

fn open_with(dir: &Path, limits: Limits) -> ScriptHost {
    ScriptHost::with_limits(dir, limits)
}

#[test]
fn endless_loop_hits_the_operation_limit() {
    let (_t, dir) = scripts(&[("palettes.rhai", "let x = 0;\nloop { x += 1; }\n[]")]);
    let limits = Limits {
        max_operations: 100_000,
        time_limit: Duration::from_secs(30),
        ..Limits::default()
    };
    let host = open_with(&dir, limits);
    let e = only_error(&host);
    assert_eq!(e.kind, ErrorKind::OperationLimit, "{e}");
    assert_eq!(e.file, "scripts/palettes.rhai");
    assert!(e.to_string().starts_with("scripts/palettes.rhai:2:"), "{e}");
    assert!(
        e.message.contains("100,000 operations") && e.message.contains("loop forever"),
        "{e}"
    );
    // The built-in palettes stay in effect.
    assert!(host.palette("volume").is_some());
}

#[test]
fn endless_loop_hits_the_time_limit() {
    let (_t, dir) = scripts(&[("palettes.rhai", "let x = 0;\nloop { x += 1; }\n[]")]);
    let limits = Limits {
        max_operations: 0, // unlimited: only the clock can stop it
        time_limit: Duration::from_millis(50),
        ..Limits::default()
    };
    let started = Instant::now();
    let host = open_with(&dir, limits);
    assert!(started.elapsed() < Duration::from_secs(10), "stopped late");
    let e = only_error(&host);
    assert_eq!(e.kind, ErrorKind::TimeLimit, "{e}");
    assert!(
        e.message
            .contains("stopped scripts/palettes.rhai after 50 ms"),
        "{e}"
    );
}

#[test]
fn runaway_recursion_hits_the_call_depth() {
    let (_t, dir) = scripts(&[("palettes.rhai", "fn f(n) {\n    f(n + 1)\n}\nf(0)\n")]);
    let host = ScriptHost::open(&dir);
    let e = only_error(&host);
    assert_eq!(e.kind, ErrorKind::CallDepth, "{e}");
    assert!(e.message.contains("nested more than 48 deep"), "{e}");
}

#[test]
fn huge_strings_and_arrays_hit_the_size_limits() {
    let (_t, dir) = scripts(&[("palettes.rhai", "let s = \"x\";\nloop { s += s; }\n")]);
    let e = only_error(&ScriptHost::open(&dir));
    assert_eq!(e.kind, ErrorKind::DataTooLarge, "{e}");
    assert!(
        e.message.contains("string too large") && e.message.contains("1,048,576 bytes"),
        "{e}"
    );

    let (_t, dir) = scripts(&[("palettes.rhai", "let a = [];\nloop { a.push(1); }\n")]);
    let limits = Limits {
        max_array_size: 1000,
        ..Limits::default()
    };
    let e = only_error(&open_with(&dir, limits));
    assert_eq!(e.kind, ErrorKind::DataTooLarge, "{e}");
    assert!(e.message.contains("array/blob too large"), "{e}");
}

#[test]
fn imports_cannot_leave_the_scripts_directory() {
    let (tmp, dir) = scripts(&[("lib/ok.rhai", "fn name() { \"mine\" }")]);
    // A real script outside the directory, so only the sandbox can refuse it.
    std::fs::write(tmp.path().join("outside.rhai"), "fn secret() { 42 }").expect("write");
    for (import, expect) in [
        ("../outside", "would leave the scripts directory"),
        ("lib/../../outside", "would leave the scripts directory"),
        (
            "/etc/passwd",
            "must be relative paths inside the scripts directory",
        ),
    ] {
        let text = format!("import \"{import}\" as o;\n[]");
        std::fs::write(dir.join("palettes.rhai"), text).expect("write");
        let host = ScriptHost::open(&dir);
        let e = only_error(&host);
        assert_eq!(e.kind, ErrorKind::Sandbox, "{import}: {e}");
        assert!(e.message.contains(expect), "{import}: {e}");
        assert!(e.to_string().starts_with("scripts/palettes.rhai:1:"), "{e}");
    }
    // A symbolic link inside pointing outside is refused too.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tmp.path().join("outside.rhai"), dir.join("link.rhai"))
            .expect("symlink");
        std::fs::write(dir.join("palettes.rhai"), "import \"link\" as o;\n[]").expect("write");
        let host = ScriptHost::open(&dir);
        let e = host
            .errors()
            .into_iter()
            .find(|e| e.file == "scripts/palettes.rhai")
            .expect("error");
        assert!(e.message.contains("resolves outside"), "{e}");
    }
    // Inside is fine.
    std::fs::write(
        dir.join("palettes.rhai"),
        "import \"lib/ok\" as ok;\n[#{ name: ok::name(), stops: [\"#000000\"] }]",
    )
    .expect("write");
    let _ = std::fs::remove_file(dir.join("link.rhai"));
    let host = ScriptHost::open(&dir);
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    assert!(host.palette("mine").is_some());
}

#[test]
fn files_network_and_eval_are_not_there() {
    let (_t, dir) = scripts(&[("palettes.rhai", "let t = open_file(\"/etc/passwd\");\n[]")]);
    let e = only_error(&ScriptHost::open(&dir));
    assert_eq!(e.kind, ErrorKind::Sandbox, "{e}");
    assert!(e.message.contains("`open_file` is not available"), "{e}");
    assert!(
        e.to_string().starts_with("scripts/palettes.rhai:1:9:"),
        "{e}"
    );

    let (_t, dir) = scripts(&[("palettes.rhai", "eval(\"40 + 2\")")]);
    let e = only_error(&ScriptHost::open(&dir));
    assert_eq!(e.kind, ErrorKind::Syntax, "{e}");
}

#[test]
fn a_syntax_error_keeps_the_last_good_script() {
    let (_t, dir) = scripts(&[("palettes.rhai", GOOD)]);
    let mut host = ScriptHost::open(&dir);
    assert!(host.errors().is_empty());
    let before = host.palette("mine").expect("mine");

    // Line 3, column 5: a missing comma between fields.
    let broken = "[\n    #{ name: \"mine\",\n    stops: [\"#ff0000\"] stops2: 1 },\n]\n";
    std::fs::write(dir.join("palettes.rhai"), broken).expect("write");
    let reloads = host.reload_all();
    let r = reloads
        .iter()
        .find(|r| r.file == "scripts/palettes.rhai")
        .expect("reloaded");
    let e = r.error.clone().expect("error");
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!((e.line, e.column), (Some(3), Some(24)), "{e}");
    assert!(
        e.to_string()
            .starts_with("scripts/palettes.rhai:3:24: syntax error"),
        "{e}"
    );
    assert_eq!(host.errors(), vec![e]);
    assert_eq!(
        host.palette("mine"),
        Some(before),
        "last good version stays"
    );

    // Invalid data (not a syntax error) also keeps the last good version.
    std::fs::write(
        dir.join("palettes.rhai"),
        "[#{ name: \"mine\", stops: [\"#ff00\"] }]",
    )
    .expect("write");
    host.reload_all();
    let e = only_error(&host);
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(e.message.contains("`#ff00` is not a colour"), "{e}");
    assert_eq!(host.palette("mine").expect("mine").stops[0], [0, 0, 0, 255]);

    // Fixed: the error goes and the new version is in effect.
    std::fs::write(
        dir.join("palettes.rhai"),
        "[#{ name: \"mine\", stops: [\"#ff0000\"] }]",
    )
    .expect("write");
    host.reload_all();
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    assert_eq!(
        host.palette("mine").expect("mine").stops[0],
        [255, 0, 0, 255]
    );
}

#[test]
fn typos_in_data_are_reported() {
    let (_t, dir) = scripts(&[(
        "palettes.rhai",
        "[#{ name: \"mine\", stops: [\"#000000\"], revers: true }]",
    )]);
    let e = only_error(&ScriptHost::open(&dir));
    assert!(e.message.contains("unknown field `revers`"), "{e}");

    let (_t, dir) = scripts(&[(
        "taxonomy.rhai",
        "#{ categories: [#{ name: \"A\", types: [\"THEFT\"] }, #{ name: \"B\", types: [\"theft\"] }] }",
    )]);
    let e = only_error(&ScriptHost::open(&dir));
    assert!(e.message.contains("THEFT is in both `A` and `B`"), "{e}");
}

#[test]
fn a_missing_directory_gives_the_defaults() {
    let host = ScriptHost::open("/nonexistent/hotspot/scripts");
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    assert!(host.palette("arrests").is_some());
    assert!(
        host.palette("emerging")
            .is_some_and(|p| p.stops.len() == 17)
    );
    let names: Vec<String> = host.views().into_iter().map(|v| v.name).collect();
    assert_eq!(
        names,
        [
            "citywide",
            "emerging_weekly",
            "low_clearance",
            "street_scale_theft",
            "violent_last_year"
        ]
    );
    assert_eq!(host.playlist().len(), 4);
    assert_eq!(host.predicates().len(), 5);
}

#[test]
fn the_host_can_move_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<ScriptHost>();
}

#[test]
fn errors_inside_imported_modules_name_the_module() {
    let (_t, dir) = scripts(&[
        ("lib/bad.rhai", "fn boom(x) {\n    x / 0\n}\n"),
        ("lib/broken.rhai", "fn oops( {\n"),
        (
            "palettes.rhai",
            "import \"lib/bad\" as bad;\nlet n = bad::boom(1);\n[]",
        ),
    ]);
    let host = ScriptHost::open(&dir);
    let errors = host.errors();
    let runtime = errors
        .iter()
        .find(|e| e.kind == ErrorKind::Runtime)
        .expect("runtime error");
    assert!(
        runtime.to_string().starts_with("scripts/lib/bad.rhai:2:"),
        "{runtime}"
    );
    assert!(runtime.message.contains("division by zero"), "{runtime}");
    // The broken module is reported on its own when the directory loads.
    let syntax = errors
        .iter()
        .find(|e| e.kind == ErrorKind::Syntax)
        .expect("syntax error");
    assert!(
        syntax.to_string().starts_with("scripts/lib/broken.rhai:1:"),
        "{syntax}"
    );

    // Importing the broken module reports the module's line too.
    std::fs::write(dir.join("palettes.rhai"), "import \"lib/broken\" as b;\n[]").expect("write");
    let host = ScriptHost::open(&dir);
    let e = host
        .errors()
        .into_iter()
        .find(|e| e.message.contains("imported by scripts/palettes.rhai"))
        .expect("import error");
    assert_eq!(e.kind, ErrorKind::Syntax, "{e}");
    assert!(
        e.to_string().starts_with("scripts/lib/broken.rhai:1:"),
        "{e}"
    );
}
