/// Where a peer's `PeerServer` listens.
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal, or a DNS name.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Makes an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
