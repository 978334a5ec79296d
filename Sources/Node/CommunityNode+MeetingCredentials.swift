import Community
public import QuadCore

extension CommunityNode {
    /// `platform`'s sealed credentials for `provider` (nil: none stored), for scheduling a
    /// provisioned session. Read from this node's rows when it holds the platform's partition (a
    /// single node holds all); in a cluster of more nodes than replicas the workspace's holder may
    /// not, and asks a node that does. A holder answers from its replica, without a read barrier:
    /// credentials changed a moment ago may still be the old ones there.
    public func sealedMeetingProviderCredentials(_ platform: PlatformID, _ provider: MeetingProvider,
                                                 actor: Actor) async throws -> [UInt8]? {
        if let replicas, await replicas.splitHeld([placement.partition(ofKey: platform.rawValue)]).held.isEmpty {
            return try await replicas.askMeetingCredentials(platform, provider)
        }
        return try queries(forKey: platform.rawValue, actor: actor).sealedMeetingProviderCredentials(platform, provider)
    }
}
