//! How the C allocator keeps freed memory (glibc only). keyhole's working set is a few tens of
//! MB, but while the lists load, a dozen watches decode pages of 500 objects on several threads
//! at once. glibc gives each thread that contends an arena of its own (up to eight per core)
//! and, after a large block is freed, raises the size below which blocks come from those arenas
//! instead of their own mappings. Together they leave tens of MB of freed but unreturned
//! memory behind the loaded list: at 20,000 Secrets with their workloads, 124 MiB resident for
//! 73 MB in use. Two arenas and a fixed trim threshold (which also keeps the mapping threshold
//! where it starts, 128 KiB) hold it at about 100 MiB, with the same speed
//! (docs/performance-notes.md).
//!
//! Called for the commands that talk to a cluster as a client (the TUI, `list`, `restart`),
//! before their runtime starts threads; not for the embedded server, whose many threads do want
//! arenas of their own.

/// Arenas for the whole process: the main one and one for the runtime's threads to share.
const ARENAS: i32 = 2;
/// Freed memory at the top of an arena beyond this goes back to the system.
const TRIM_THRESHOLD: i32 = 128 * 1024;

/// Sets glibc's arena count and trim threshold, unless the user set them (`MALLOC_ARENA_MAX`,
/// `MALLOC_TRIM_THRESHOLD_`), which glibc has already read.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub(crate) fn tune() {
    let set = |var: &str| std::env::var_os(var).is_some();
    if !set("MALLOC_ARENA_MAX") {
        // SAFETY: mallopt takes two integers and only changes the allocator's parameters; it
        // has no memory-safety preconditions and is called here before any other thread exists.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, ARENAS) };
    }
    if !set("MALLOC_TRIM_THRESHOLD_") {
        // SAFETY: as above.
        unsafe { libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD) };
    }
}

/// Other allocators (musl, macOS, Windows) return memory on their own terms: nothing to set.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn tune() {}
