/// The name of a cluster: kept in every member's data directory and sent with every peer call,
/// so a node never joins, or is joined by, another cluster's.
public enum ClusterID {
    /// The cluster ID of a node started without one.
    public static let standard = "quad"
    /// Longest cluster ID, in bytes.
    public static let lengthMax = 64

    /// Whether `id` can name a cluster: 1 to `lengthMax` of A-Z a-z 0-9 . _ -
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= lengthMax && id.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}
