//! What the benchmarks (`search_bench`, `compare`) share: the programs they run and how they
//! time them, the machine they describe, the sizes they count, and how they print figures.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};
use chrono::DateTime;

/// GNU time, which reports a command's CPU time and peak memory.
const GNU_TIME: &str = "/usr/bin/time";

/// What one run of a command took.
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    /// Wall time, from spawning it to its end.
    pub wall: Duration,
    /// User and system CPU time of the command and the processes it waited for; none without
    /// GNU time.
    pub cpu: Option<Duration>,
    /// Peak resident memory in bytes of the largest of those processes (Linux's `ru_maxrss`);
    /// none without GNU time.
    pub peak: Option<u64>,
}

/// Runs `command` to its end, with its output captured: what it took, and its output. With GNU
/// time at /usr/bin/time the CPU time and the peak memory too; wall time always.
pub fn timed(command: &Command) -> Result<(Usage, Output)> {
    let report = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    let gnu_time = has_gnu_time();
    let mut run = if gnu_time {
        let mut run = Command::new(GNU_TIME);
        run.arg("-f")
            .arg("%U %S %M")
            .arg("-o")
            .arg(report.path())
            .arg(command.get_program())
            .args(command.get_args());
        run
    } else {
        let mut run = Command::new(command.get_program());
        run.args(command.get_args());
        run
    };
    if let Some(dir) = command.get_current_dir() {
        run.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => run.env(key, value),
            None => run.env_remove(key),
        };
    }
    let program: OsString = command.get_program().into();
    let started = Instant::now();
    let output = run
        .output()
        .with_context(|| format!("cannot run {}", program.to_string_lossy()))?;
    let wall = started.elapsed();
    let (cpu, peak) = if gnu_time {
        let text = fs::read_to_string(report.path())?;
        // A failed command's report starts with a line "Command exited with non-zero status".
        let line = text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
        let fields: Vec<&str> = line.split_whitespace().collect();
        let parsed = match fields[..] {
            [user, system, kilobytes] => user
                .parse::<f64>()
                .ok()
                .zip(system.parse::<f64>().ok())
                .zip(kilobytes.parse::<u64>().ok()),
            _ => None,
        };
        let ((user, system), kilobytes) =
            parsed.with_context(|| format!("GNU time reported {text:?}"))?;
        (
            Some(Duration::from_secs_f64(user + system)),
            Some(kilobytes * 1024),
        )
    } else {
        (None, None)
    };
    Ok((Usage { wall, cpu, peak }, output))
}

/// Whether /usr/bin/time is GNU time (which knows `-f` and `-o`).
pub fn has_gnu_time() -> bool {
    Command::new(GNU_TIME)
        .args(["-f", "%M", "-o", "/dev/null", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Installs the Debian package `package` with apt-get, for `why`.
pub fn apt_install(package: &str, why: &str) -> Result<()> {
    eprintln!("Installing {why}: apt-get install -y {package}");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-qq", package])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if install() {
        return Ok(());
    }
    // A fresh machine may not have the package lists yet.
    let updated = Command::new("apt-get")
        .args(["update", "-qq"])
        .status()
        .is_ok_and(|s| s.success());
    if updated && install() {
        return Ok(());
    }
    bail!("{why} is missing and could not be installed: run `apt-get install -y {package}` as root")
}

/// The first line a command prints, trimmed.
pub fn version(command: &mut Command) -> Result<String> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {:?}", command.get_program()))?;
    ensure!(output.status.success(), "{command:?} failed");
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string())
}

/// The release `referat` binary beside this one, built first: `cargo run --bin referat-bench`
/// builds only this binary, and a `referat` left from older sources would be measured instead.
pub fn referat_binary() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "--bin",
            "referat",
            "--manifest-path",
        ])
        .arg(&manifest)
        .status()
        .context("cannot run cargo to build referat")?;
    ensure!(
        status.success(),
        "cargo build --release --bin referat failed"
    );
    let referat = std::env::current_exe()?.with_file_name("referat");
    ensure!(
        referat.is_file(),
        "{} is missing after `cargo build --release --bin referat`",
        referat.display()
    );
    Ok(referat)
}

/// The `pagefind` command in bench/node_modules, installed first when missing: the exact version
/// bench/package.json and bench/package-lock.json pin. (`npm install`, not `npm ci`: a registry
/// that lacks the binaries of other platforms leaves them out of the lock file, and `npm ci`
/// then refuses it.)
pub fn install_pagefind(bench: &Path) -> Result<PathBuf> {
    let pagefind = bench.join("node_modules/.bin/pagefind");
    if !pagefind.is_file() {
        eprintln!(
            "Installing Pagefind: npm install --prefix {}",
            bench.display()
        );
        let status = Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(bench)
            .status()
            .context("cannot run npm: install Node.js 20 or newer with npm")?;
        ensure!(
            status.success() && pagefind.is_file(),
            "npm install --prefix {} did not install Pagefind",
            bench.display()
        );
    }
    Ok(pagefind)
}

/// The installed Pagefind's version.
pub fn pagefind_version(bench: &Path) -> Result<String> {
    let manifest = bench.join("node_modules/pagefind/package.json");
    let json: serde_json::Value = serde_json::from_slice(
        &fs::read(&manifest).with_context(|| format!("cannot read {}", manifest.display()))?,
    )?;
    Ok(json["version"].as_str().unwrap_or("unknown").to_string())
}

/// Where archives are built by default: memory (/dev/shm) when there is one, since disk writes
/// on a loaded machine make build times noisy, else the temporary folder.
pub fn default_scratch() -> PathBuf {
    if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    }
}

/// Bytes free for this user in the file system of `dir`, when known.
pub fn free_bytes(dir: &Path) -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let stat = rustix::fs::statvfs(dir).ok()?;
        Some(stat.f_bavail.saturating_mul(stat.f_frsize))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        None
    }
}

/// Runs `referat build` on the site at `root`: what it took, and its summary line.
pub fn referat_build(referat: &Path, root: &Path) -> Result<(Usage, String)> {
    let mut command = Command::new(referat);
    command.arg("build").arg("--root").arg(root);
    let (usage, output) = timed(&command)?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(output.status.success(), "referat build failed:\n{stderr}");
    let summary = stderr
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .replace(&root.join("public").display().to_string(), "public");
    Ok((usage, summary))
}

/// Change the title of the first item of the newest meeting of the first council in `content`,
/// as a webmaster correcting the latest minutes would.
pub fn change_one_meeting(content: &Path) -> Result<()> {
    let sorted = |dir: &Path| -> Result<Vec<PathBuf>> {
        let mut paths = fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<Vec<_>, _>>()?;
        paths.sort();
        Ok(paths)
    };
    let council = sorted(content)?
        .into_iter()
        .find(|p| p.is_dir())
        .context("the corpus has no council")?;
    let meeting = sorted(&council)?
        .into_iter()
        .rfind(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .context("the council has no meeting")?;
    let text = fs::read_to_string(&meeting)?;
    let title = text
        .lines()
        .find(|l| l.starts_with("## "))
        .context("the meeting has no item")?;
    fs::write(
        &meeting,
        text.replacen(title, &format!("{title} (rettet)"), 1),
    )
    .with_context(|| format!("cannot change {}", meeting.display()))
}

/// The number at `path` in a JSON file.
pub fn json_number(file: &Path, path: &[&str]) -> Result<u64> {
    let json: serde_json::Value = serde_json::from_slice(
        &fs::read(file).with_context(|| format!("cannot read {}", file.display()))?,
    )?;
    path.iter()
        .fold(&json, |value, key| &value[key])
        .as_u64()
        .with_context(|| format!("{} has no number at {}", file.display(), path.join(".")))
}

/// The size of a folder.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bundle {
    /// Apparent bytes of its files.
    pub bytes: u64,
    /// Its files.
    pub files: u64,
}

/// The files under `dir` and their apparent bytes.
pub fn bundle(dir: &Path) -> Result<Bundle> {
    let mut total = Bundle::default();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            let inner = bundle(&entry.path())?;
            total.bytes += inner.bytes;
            total.files += inner.files;
        } else {
            total.bytes += meta.len();
            total.files += 1;
        }
    }
    Ok(total)
}

/// The machine: "AMD EPYC, 2 cores (nproc)".
pub fn machine() -> String {
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpu}, {cores} cores (nproc)")
}

/// The load averages over 1, 5 and 15 minutes, as /proc/loadavg has them.
pub fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Now, as "2026-11-23 21:20 UTC".
pub fn now_utc() -> Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    Ok(DateTime::from_timestamp(now as i64, 0)
        .context("the clock is off")?
        .format("%Y-%m-%d %H:%M UTC")
        .to_string())
}

/// `a / b` with 2 decimals; – when it is no number (`b` is 0, or either was not measured).
pub fn ratio(a: f64, b: f64) -> String {
    let r = a / b;
    if r.is_finite() {
        format!("{r:.2}")
    } else {
        "–".into()
    }
}

/// Bytes in kB with 1 decimal.
pub fn kilobytes(bytes: f64) -> String {
    format!("{:.1}", bytes / 1e3)
}

/// Bytes in MB with 1 decimal.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// `n` with a comma between thousands.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The median of `values` (the mean of the middle two for an even count); 0 for none.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    }
}
