import CMalloc
import Foundation

/// How many allocator arenas `rtcc serve` lets glibc keep.
///
/// glibc gives threads that meet in the allocator arenas of their own, up to eight per core, and keeps what each has
/// freed for that arena alone: a server recording hundreds of cameras ends with several arenas of up to 64 MiB each
/// (300 cameras on two cores: seven of them, most of the server's anonymous memory). One arena per core, at least
/// two, keeps threads off each other's locks on a large machine and cut that server's memory by a third
/// (docs/RELIABILITY.md); the capacity bench could show no CPU cost. `MALLOC_ARENA_MAX` in the environment, read by
/// glibc itself, takes precedence.
enum AllocatorArenas {
    /// Limits the arenas to one per core, at least two, unless the environment sets `MALLOC_ARENA_MAX`. Call before
    /// the server starts its threads: arenas that exist already are kept.
    static func limit() {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        let arenas = Int32(clamping: max(2, ProcessInfo.processInfo.activeProcessorCount))
        if mallopt(M_ARENA_MAX, arenas) != 1 {
            FileHandle.standardError.write(Data("warning: the allocator refused an arena limit of \(arenas); glibc's default applies\n".utf8))
        }
    }
}
