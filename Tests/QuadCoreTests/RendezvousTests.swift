import QuadCore
import Testing

/// Rendezvous placement of partition replicas over members.
struct RendezvousTests {
    static let partitions = (0..<256).map { PartitionID(UInt32($0)) }

    /// Proves every partition gets `count` distinct replicas from the members, deterministically.
    @Test func replicasAreDistinctMembers() {
        let members = (1...5).map { NodeID(UInt64($0)) }
        for partition in Self.partitions {
            let replicas = Placement.replicas(of: partition, members: members, count: 3)
            #expect(Set(replicas).count == 3)
            #expect(replicas.allSatisfy(members.contains))
            #expect(replicas == Placement.replicas(of: partition, members: members.reversed(), count: 3))
        }
    }

    /// Proves adding a fourth member to three moves about a quarter of the replicas, and only to the new member.
    @Test func addingAMemberMovesAboutOneNth() {
        let three = [NodeID(1), NodeID(2), NodeID(3)]
        let four = three + [NodeID(4)]
        var moved = 0
        for partition in Self.partitions {
            let before = Set(Placement.replicas(of: partition, members: three, count: 3))
            let after = Set(Placement.replicas(of: partition, members: four, count: 3))
            let gained = after.subtracting(before)
            #expect(gained.isSubset(of: [NodeID(4)]))
            moved += gained.count
        }
        let fraction = Double(moved) / Double(Self.partitions.count * 3)
        #expect(fraction > 0.15 && fraction < 0.35, "moved \(fraction) of replicas")
    }

    /// Proves leaders-to-be spread: each member is a replica of roughly its share of partitions.
    @Test func replicasSpreadEvenly() {
        let members = (1...6).map { NodeID(UInt64($0)) }
        var counts: [NodeID: Int] = [:]
        for partition in Self.partitions {
            for replica in Placement.replicas(of: partition, members: members, count: 3) { counts[replica, default: 0] += 1 }
        }
        let expected = Double(Self.partitions.count * 3) / Double(members.count)
        for member in members {
            let share = Double(counts[member] ?? 0)
            #expect(share > expected * 0.7 && share < expected * 1.3, "\(member): \(share) vs \(expected)")
        }
    }
}
