#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit. Every session holds a socket, so the soft limit caps how many
/// sessions one process can hold (1,024 on a stock Debian machine). As nginx does with
/// `worker_rlimit_nofile`, the CLI raises the soft limit to the hard limit when it starts.
enum FileDescriptorLimit {
    /// Descriptors left for what is not a session: the standard streams, the event loops' epoll,
    /// eventfd and timerfd, the listening socket, wallet files, the loader's libraries.
    static let reserve = 64

    /// The soft limit in force, raised to the hard limit on first use (done in `main`).
    static let soft: UInt64 = raiseSoftLimitToHard()

    /// About how many sessions the limit allows.
    static var maximumSessions: Int { max(0, Int(clamping: soft) - reserve) }

    /// Raises the soft limit as far as the system lets it, and returns the soft limit then in force.
    private static func raiseSoftLimitToHard() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        var target = limit.rlim_max
        #if canImport(Darwin)
        // macOS reports an unlimited hard limit but refuses a soft one above OPEN_MAX.
        target = min(target, rlim_t(OPEN_MAX))
        #else
        // An unlimited hard limit is still capped by fs.nr_open (1,048,576 by default).
        if target == rlim_t.max { target = 1 << 20 }  // RLIM_INFINITY
        #endif
        if target > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return UInt64(limit.rlim_cur)
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
