//! A full disk and a read-only output folder, for every stage's command: a clear error naming
//! the path, a non-zero exit (never a panic), and nothing left behind but complete outputs.
//!
//! Each command writes into `out/`, a tmpfs mounted inside a user and mount namespace
//! (`unshare -rm`, no privileges needed): a tmpfs of a quarter, half or three quarters of the
//! pages the command's output takes when the disk has room, or a read-only one. The commands read the outputs of an undisturbed
//! run of the small every-stage pipeline.

mod common;

use common::{ok, text, write_every_stage_pipeline};
use std::path::Path;
use std::process::Command;

/// Every stage's command, writing into `out/<name>`.
const COMMANDS: [(&str, &[&str]); 7] = [
    (
        "corpus",
        &[
            "corpus",
            "--mono",
            "vi=vi-mono.txt",
            "--parallel",
            "en-vi=pairs.tsv",
            "--output",
        ],
    ),
    (
        "tokenizer-train",
        &[
            "tokenizer",
            "train",
            "--train",
            "run/corpus",
            "--algorithm",
            "classic",
            "--vocab-size",
            "300",
            "--min-frequency",
            "1",
            "--output",
        ],
    ),
    (
        "tokenizer-report",
        &[
            "tokenizer",
            "report",
            "--tokenizer",
            "mekong=run/tokenizer/tokenizer.json",
            "--parallel",
            "parallel",
            "--reference",
            "en",
            "--output",
        ],
    ),
    (
        "pretrain-tokenize",
        &[
            "pretrain",
            "tokenize",
            "--corpus",
            "run/corpus",
            "--tokenizer",
            "run/tokenizer/tokenizer.json",
            "--output",
        ],
    ),
    (
        "pretrain-train",
        &[
            "pretrain",
            "train",
            "--tokens",
            "run/pretrain/tokens",
            "--preset",
            "tiny",
            "--steps",
            "4",
            "--batch-size",
            "2",
            "--seq-len",
            "32",
            "--warmup-steps",
            "1",
            "--eval-every",
            "0",
            "--checkpoint-every",
            "2",
            "--output",
        ],
    ),
    (
        "eval",
        &[
            "eval",
            "--model",
            "m=run/pretrain",
            "--tokenizer",
            "run/tokenizer/tokenizer.json",
            "--parallel",
            "parallel",
            "--prompt",
            "Huế",
            "--max-new-tokens",
            "3",
            "--output",
        ],
    ),
    (
        "export",
        &[
            "export",
            "--model",
            "run/pretrain",
            "--tokenizer",
            "run/tokenizer/tokenizer.json",
            "--output",
        ],
    ),
];

/// Where a command's output goes: tokenizer training writes one file, the others a folder.
fn output_of(name: &str) -> String {
    if name == "tokenizer-train" {
        format!("{name}/tokenizer.json")
    } else {
        name.to_string()
    }
}

/// Mounts a tmpfs with `options` on `dir/out`, runs `mekong ARGS` there, and lists what is left
/// in `out` before the mount goes with the namespace: every file and every hidden folder (a
/// staging folder, even empty), one path per line. An empty parent folder the command created
/// for its output is not listed: it holds nothing to mistake for an output.
const IN_NAMESPACE: &str = r#"
mount -t tmpfs -o "$1" tmpfs out || exit 1
shift
"$MEKONG" "$@"
status=$?
(cd out && find . -mindepth 1 \( -type f -o -name '.*' \) | sort) > left.txt
exit $status
"#;

struct Faulted {
    status: Option<i32>,
    stderr: String,
    left: Vec<String>,
}

fn run_on_tmpfs(dir: &Path, options: &str, args: &[&str]) -> Faulted {
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let out = Command::new("unshare")
        .args(["-rm", "bash", "-c", IN_NAMESPACE, "bash", options])
        .args(args)
        .env("MEKONG", env!("CARGO_BIN_EXE_mekong"))
        .current_dir(dir)
        .output()
        .expect("unshare runs");
    // The script lists what is left last: without the list, the namespace or the mount failed.
    let left = std::fs::read_to_string(dir.join("left.txt")).unwrap_or_else(|_| {
        panic!(
            "this test needs user namespaces (`unshare -rm`) to mount a tmpfs: {}",
            text(&out.stderr)
        )
    });
    std::fs::remove_file(dir.join("left.txt")).unwrap();
    Faulted {
        status: out.status.code(),
        stderr: text(&out.stderr),
        left: left.lines().map(str::to_string).collect(),
    }
}

/// Bytes of tmpfs pages the files under `path` take.
fn pages(path: &Path) -> u64 {
    common::outputs::files(path)
        .iter()
        .map(|file| {
            std::fs::metadata(path.join(file))
                .unwrap()
                .len()
                .div_ceil(4096)
                * 4096
        })
        .sum()
}

/// Whether `left` (paths under `out`) holds only complete outputs: nothing hidden (a staging
/// folder or file) and, for training, only whole checkpoints beside the log and run record.
fn only_complete(name: &str, left: &[String]) -> bool {
    let hidden = left.iter().any(|p| {
        p.split('/')
            .any(|part| part.starts_with('.') && part != ".")
    });
    if hidden {
        return false;
    }
    match name {
        // An interrupted training run continues from its last whole checkpoint.
        "pretrain-train" => left
            .iter()
            .filter(|p| p.contains("/checkpoints/step-"))
            .all(|file| {
                let step = file.rsplit_once('/').unwrap().0;
                left.contains(&format!("{step}/checkpoint.json"))
            }),
        _ => left.is_empty(),
    }
}

#[test]
fn a_full_disk_or_read_only_output_is_a_clear_error_and_leaves_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_every_stage_pipeline(d);
    ok(d, &["run", "pipe.toml"]);
    let mut checked = 0;
    for (name, command) in COMMANDS {
        let output = format!("out/{}", output_of(name));
        let args: Vec<&str> = command.iter().copied().chain([output.as_str()]).collect();
        // How much room the output takes with room to spare.
        let roomy = format!("free/{}", output_of(name));
        let free_args: Vec<&str> = command.iter().copied().chain([roomy.as_str()]).collect();
        ok(d, &free_args);
        // A disk that fills a quarter, half and three quarters of the way through the output.
        let room = pages(&d.join("free").join(name));
        let mut faults: Vec<(String, String, &str)> = [1, 2, 3]
            .iter()
            .map(|quarters| {
                let size = (room * quarters / 4).max(4096) / 4096 * 4096;
                let fault = format!("disk full at {size} of {room} bytes");
                (fault, format!("size={size}"), "No space left on device")
            })
            .collect();
        faults.push(("read-only".into(), "ro".into(), "Read-only file system"));
        for (fault, options, message) in faults {
            let faulted = run_on_tmpfs(d, &options, &args);
            let context = format!("{name}, {fault}: {}", faulted.stderr);
            assert_eq!(faulted.status, Some(1), "{context}");
            assert!(faulted.stderr.contains(message), "{context}");
            assert!(faulted.stderr.contains("out/"), "names no path: {context}");
            assert!(!faulted.stderr.contains("panicked"), "{context}");
            assert!(
                only_complete(name, &faulted.left),
                "{context}left {:?}",
                faulted.left
            );
            let first_line = faulted
                .stderr
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or("");
            eprintln!("{name}, {fault}: {first_line} (left: {:?})", faulted.left);
            checked += 1;
        }
    }
    assert_eq!(checked, 28);
}
