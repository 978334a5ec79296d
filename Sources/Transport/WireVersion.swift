import Synchronization

/// Which wire versions this process reads and which one it writes (docs/decisions/0002, the
/// versioning rule).
///
/// A build reads every version from 1 to its native one, and writes the cluster's version (kept in
/// the member table, the same for every member) or its native one, whichever is lower; until it
/// knows the cluster's, it writes version 1, which every build reads. So a node of the next
/// version joins a cluster of this one speaking this one, and the cluster moves to the next
/// version only when its table says so, after every member runs a build that reads it.
public enum WireVersion {
    /// The version this build's frames are laid out in; the highest it reads.
    public static var native: UInt8 { nativeVersion.load(ordering: .relaxed) }
    /// The version frames are written in now.
    public static var writing: UInt8 { writingVersion.load(ordering: .relaxed) }

    private static let nativeVersion = Atomic<UInt8>(1)
    private static let writingVersion = Atomic<UInt8>(1)

    /// Whether frames of `version` can be read.
    public static func reads(_ version: UInt8) -> Bool { version >= 1 && version <= native }

    /// Writes `clusterVersion`, or the native version when that is lower.
    public static func adopt(clusterVersion: UInt8) {
        writingVersion.store(max(1, min(clusterVersion, native)), ordering: .relaxed)
    }

    /// For testing a rolling upgrade only (`quad --wire-version-native`): behaves as a build whose
    /// native version is `version` (it reads 1 through `version`; frames keep today's layout).
    public static func pretendNative(_ version: UInt8) {
        precondition(version >= 1, "wire versions start at 1")
        nativeVersion.store(version, ordering: .relaxed)
    }
}
