//! The text cannot rot as the code changes:
//!
//! - every Rust block in the READMEs and `docs/` whose first line names its
//!   source file (`// threads-demo/src/main.rs`) still appears in that file:
//!   its lines, trimmed, in the same order (lines between them may differ,
//!   so a block can leave out comments or elide with `// …`);
//! - every `cargo run -p <demo> … -- <args>` command a README or `docs/` shows is
//!   accepted by that demo's argument parser (run with `--help` appended, so
//!   nothing actually runs: clap checks every flag and value before the
//!   `--help`), and every `--example` it names exists; a command the
//!   README says is refused must be refused (exit 2);
//! - every `scripts/compare …` command is accepted by `comparison --check-args`;
//! - every local link and image points at a file, and a link's `#fragment`
//!   into a Markdown file at one of its headings.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (this crate lives in `scripts/comparison`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("scripts/comparison sits two levels below the root")
        .to_path_buf()
}

/// The Markdown files checked: every README one level down, the root's, and `docs/`.
fn documents() -> Vec<PathBuf> {
    let root = root();
    let mut docs = vec![root.join("README.md")];
    let mut dirs = vec![root.join("docs")];
    for entry in std::fs::read_dir(&root).expect("the root lists").flatten() {
        let readme = entry.path().join("README.md");
        if readme.is_file() {
            docs.push(readme);
        }
    }
    docs.push(root.join("scripts/README.md"));
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                docs.push(path);
            }
        }
    }
    docs.sort();
    docs.dedup();
    docs
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fenced blocks of a Markdown text: (info string, lines).
fn blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut open: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match (&mut open, trimmed.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_string(), Vec::new())),
            (Some(_), Some(_)) => found.extend(open.take()),
            (Some((_, lines)), None) => lines.push(trimmed.to_string()),
            (None, None) => {}
        }
    }
    found
}

#[test]
fn rust_blocks_that_name_their_file_still_match_it() {
    let root = root();
    let mut checked = 0;
    let mut drifted = Vec::new();
    for doc in documents() {
        for (info, lines) in blocks(&read(&doc)) {
            let Some(source) = (info == "rust")
                .then(|| lines.first()?.strip_prefix("// ")?.strip_suffix(".rs"))
                .flatten()
            else {
                continue;
            };
            let path = root.join(format!("{source}.rs"));
            let file = read(&path);
            let mut file_lines = file.lines().map(str::trim);
            let missing = lines[1..]
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty() && *l != "// …")
                .find(|wanted| !file_lines.any(|l| l == *wanted));
            checked += 1;
            if let Some(line) = missing {
                drifted.push(format!(
                    "{}: a block from {source}.rs: `{line}` is no longer there (in this order)",
                    doc.display()
                ));
            }
        }
    }
    assert!(drifted.is_empty(), "{}", drifted.join("\n"));
    assert!(
        checked >= 1,
        "no Rust block names its file: the check checks nothing"
    );
}

/// One `cargo run` command: the package, the example if any, and the
/// arguments after `--`.
#[derive(Debug)]
struct CargoRun {
    line: String,
    package: String,
    example: Option<String>,
    args: Vec<String>,
}

/// The words of a command, up to a pipe, a redirection or a comment; a
/// synopsis's optional parts (`[--size N]`) are left out.
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut optional = false;
    for word in command.split_whitespace() {
        if word.starts_with('|') || word.starts_with('#') || word.contains('>') {
            break;
        }
        if word.starts_with('[') {
            optional = true;
        }
        if !optional {
            words.push(word.trim_matches('\'').to_string());
        }
        if word.ends_with(']') {
            optional = false;
        }
    }
    words
}

fn parse_cargo_run(line: &str) -> Option<CargoRun> {
    let start = line.find("cargo run")?;
    let words = words(&line[start..]);
    let mut package = None;
    let mut example = None;
    let mut args = Vec::new();
    let mut rest = words[2..].iter();
    while let Some(word) = rest.next() {
        match word.as_str() {
            "-p" | "--package" => package = rest.next().cloned(),
            "--example" => example = rest.next().cloned(),
            "--" => {
                args = rest.cloned().collect();
                break;
            }
            _ => {}
        }
    }
    Some(CargoRun {
        line: line.to_string(),
        package: package?,
        example,
        args,
    })
}

/// Commands shown in a README: lines of its code blocks, and inline code
/// spans that start with `cargo run` or `scripts/compare`.
fn commands(text: &str) -> Vec<String> {
    let mut found: Vec<String> = blocks(text)
        .into_iter()
        .filter(|(info, _)| matches!(info.as_str(), "text" | "sh" | "console" | "bash"))
        // A line ending in `\` goes on on the next one.
        .flat_map(|(_, lines)| {
            lines
                .join("\n")
                .replace("\\\n", " ")
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .map(|l| l.strip_prefix("$ ").unwrap_or(&l).to_string())
        .collect();
    // Inline code spans, joined across line breaks.
    let joined = text.replace('\n', " ");
    for span in joined.split('`').skip(1).step_by(2) {
        found.push(span.to_string());
    }
    found
        .into_iter()
        .filter(|c| {
            c.trim_start().starts_with("cargo run") || c.trim_start().starts_with("scripts/compare")
        })
        .collect()
}

/// The newest modification time of the files under `dir`.
fn newest(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            self::newest(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok()
        };
        newest = newest.max(time);
    }
    newest
}

/// A demo binary. `cargo test --workspace` builds every binary first; when
/// this test runs alone, a binary older than its package's sources (or
/// missing) is built here, so that a stale binary never checks old flags.
fn binary(package: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    let profile = exe
        .ancestors()
        .find(|d| d.join("deps").is_dir())
        .expect("tests run from target/<profile>/deps")
        .to_path_buf();
    let path = profile.join(format!("{package}{}", std::env::consts::EXE_SUFFIX));
    let dir = match package {
        "comparison" => root().join("scripts/comparison"),
        _ => root().join(package),
    };
    let built = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    if built.is_none() || built < newest(&dir.join("src")) {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", package, "--bins"])
            .current_dir(root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build -p {package}");
    }
    path
}

/// Whether the README says this command is refused (it then must exit 2).
fn said_refused(text: &str, command: &str) -> bool {
    let at = text.replace('\n', " ").find(command).unwrap_or(0);
    let after: String = text
        .replace('\n', " ")
        .chars()
        .skip(at)
        .take(command.len() + 40)
        .collect();
    after.contains("refused") || after.contains("is refused")
}

#[test]
fn readme_commands_are_accepted_by_their_parsers() {
    let root = root();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for doc in documents() {
        let text = read(&doc);
        for command in commands(&text) {
            let command = command.trim();
            let (program, args, what) = if command.starts_with("scripts/compare") {
                let mut args = words(command);
                args.remove(0);
                args.insert(0, "--check-args".to_string());
                (binary("comparison"), args, "scripts/compare".to_string())
            } else {
                let Some(run) = parse_cargo_run(command) else {
                    continue;
                };
                if let Some(example) = &run.example {
                    let file = root
                        .join(&run.package)
                        .join("examples")
                        .join(format!("{example}.rs"));
                    if !file.is_file() {
                        wrong.push(format!(
                            "{}: `{}`: no {}",
                            doc.display(),
                            run.line,
                            file.display()
                        ));
                    }
                    checked += 1;
                    continue;
                }
                if !root.join(&run.package).join("Cargo.toml").is_file()
                    && run.package != "comparison"
                {
                    wrong.push(format!(
                        "{}: `{}`: no package {}",
                        doc.display(),
                        run.line,
                        run.package
                    ));
                    continue;
                }
                (binary(&run.package), run.args, run.package)
            };
            let mut args = args;
            if !what.starts_with("scripts") {
                args.push("--help".to_string());
            }
            let out = Command::new(&program)
                .args(&args)
                .output()
                .expect("the binary runs");
            let code = out.status.code();
            let refused = said_refused(&text, command);
            // `--check-args` answers 3 when it printed the help.
            let accepted = matches!(code, Some(0) | Some(3));
            checked += 1;
            if accepted == refused {
                wrong.push(format!(
                    "{}: `{command}` ({what} {}) exited {code:?}{}: {}",
                    doc.display(),
                    args.join(" "),
                    if refused {
                        " but the README says it is refused"
                    } else {
                        ""
                    },
                    String::from_utf8_lossy(&out.stderr)
                        .lines()
                        .next()
                        .unwrap_or("")
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        checked >= 20,
        "only {checked} commands found: the check checks too little"
    );
}

/// The targets of a Markdown text's inline links and images, `[…](target)`,
/// split at `#` into a path (empty for a link within the text) and its
/// fragment; web addresses left out.
fn local_links(text: &str) -> Vec<(&str, Option<&str>)> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|target| !target.is_empty() && !target.contains("://"))
        .filter(|target| !target.starts_with("mailto:"))
        .map(|target| match target.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (target, None),
        })
        .collect()
}

/// The anchors GitHub gives a Markdown text's headings: lowercased, spaces
/// to hyphens, punctuation other than `-` and `_` dropped.
fn anchors(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| line.starts_with('#'))
        .map(|line| {
            line.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_local_link_and_image_points_at_a_file_and_the_root_shows_the_chart() {
    let mut broken = Vec::new();
    for doc in documents() {
        let text = read(&doc);
        let dir = doc.parent().expect("a document sits in a directory");
        for (path, fragment) in local_links(&text) {
            let file = if path.is_empty() {
                doc.clone()
            } else {
                dir.join(path)
            };
            if !file.exists() {
                broken.push(format!("{}: ({path})", doc.display()));
            } else if let Some(fragment) =
                fragment.filter(|_| file.extension().is_some_and(|e| e == "md"))
            {
                if !anchors(&read(&file))
                    .iter()
                    .any(|anchor| anchor == fragment)
                {
                    broken.push(format!(
                        "{}: ({path}#{fragment}): no such heading",
                        doc.display()
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links to nothing:\n{}",
        broken.join("\n")
    );
    // The one chart kept in git (docs/report/.gitignore) is there to be seen.
    let readme = read(&root().join("README.md"));
    assert!(
        readme.contains("![")
            && readme.contains("](docs/report/fetch-sequential-vs-concurrent.svg)"),
        "the root README embeds docs/report/fetch-sequential-vs-concurrent.svg"
    );
}

/// A demo's README is the lesson (the port, the Python → Rust table, what to
/// try, questions) in at most 150 lines; lab notes go to `docs/notes/`.
#[test]
fn each_demo_readme_is_at_most_150_lines() {
    let demos = [
        "threads-demo",
        "process-demo",
        "sync-fetch",
        "async-fetch",
        "macros-demo",
        "exercises",
    ];
    let long: Vec<String> = demos
        .iter()
        .map(|demo| {
            (
                demo,
                read(&root().join(demo).join("README.md")).lines().count(),
            )
        })
        .filter(|&(_, lines)| lines > 150)
        .map(|(demo, lines)| format!("{demo}/README.md: {lines} lines"))
        .collect();
    assert!(long.is_empty(), "over 150 lines:\n{}", long.join("\n"));
}
