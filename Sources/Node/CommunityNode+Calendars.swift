import Community
public import QuadCore

extension CommunityNode {
    /// `workspaces`' calendars as `actor` sees them, for a per-user calendar feed: read from this
    /// node's rows for the partitions it holds, and asked of a node that holds each of the others
    /// (a cluster of more nodes than replicas). A holder answers from its own replica, so a change
    /// is seen once that replica applied it. Never throws: a workspace that could not be read is
    /// listed as unreached.
    public func calendars(of workspaces: [WorkspaceID], actor: Actor) async -> GatheredCalendars {
        var local = workspaces
        var gathered = GatheredCalendars()
        if let replicas {
            let partitions = Set(workspaces.map { placement.partition(ofKey: $0.rawValue) })
            let held = Set(await replicas.splitHeld(partitions.sorted()).held)
            local = workspaces.filter { held.contains(placement.partition(ofKey: $0.rawValue)) }
            let elsewhere = workspaces.filter { !held.contains(placement.partition(ofKey: $0.rawValue)) }
            if !elsewhere.isEmpty { gathered = await replicas.gatherCalendars(of: elsewhere, for: actor.userID) }
        }
        for workspace in local {
            do {
                let reader = PartitionRowReader(database: database, partition: placement.partition(ofKey: workspace.rawValue))
                gathered.answered[workspace] = try WorkspaceCalendar.read(workspace, as: actor, from: reader)
            } catch {
                logger.error("calendar unreadable", metadata: ["workspace": "\(workspace)", "error": "\(error)"])
                gathered.unreached.append(workspace)
            }
        }
        return gathered
    }
}
