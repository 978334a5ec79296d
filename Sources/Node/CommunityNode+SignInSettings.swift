import Community
import QuadCore

extension CommunityNode {
    /// The SSO issuers and LTI registrations of every partition, for sign-in, which knows only an
    /// `iss`: read from this node's rows for the partitions it holds, and asked of a node that
    /// holds each of the others (a cluster of more nodes than replicas; decision 0006). A holder
    /// answers from its own replica, so a change is seen once that replica applied it.
    /// Never throws: a partition that could not be read is listed as unreached.
    public func signInSettings() async -> GatheredSignInSettings {
        let all = (0..<placement.partitionCount).map { PartitionID($0) }
        var local = all
        var gathered = GatheredSignInSettings()
        if let replicas {
            let split = await replicas.splitHeld(all)
            local = split.held
            if !split.elsewhere.isEmpty { gathered = await replicas.gatherSignInSettings(of: split.elsewhere) }
        }
        for partition in local {
            do {
                gathered.answered[partition] = try IdentityQueries(
                    reader: PartitionRowReader(database: database, partition: partition)).signInSettings()
            } catch {
                logger.error("sign-in settings unreadable", metadata: ["partition": "\(partition)", "error": "\(error)"])
                gathered.unreached.append(partition)
            }
        }
        return gathered
    }
}
