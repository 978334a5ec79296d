import QuadCore
import Raft

extension SimulationRun {
    mutating func execute() -> SimulationReport {
        var step = 0
        while step < options.steps, checker.violations.isEmpty {
            checker.step = step
            chaosStep()
            step += 1
        }
        var recoveryTicks = 0
        if checker.violations.isEmpty {
            checker.step = step
            recoveryTicks = checkLiveness()
        }
        return SimulationReport(
            options: options, steps: step, violations: checker.violations,
            committedIndex: checker.highestCommittedIndex.rawValue,
            acknowledgedProposals: checker.acknowledgedCount, readsRequested: readsRequested, readsAnswered: readsAnswered, crashes: crashes,
            membershipChanges: membershipChanges, snapshotsInstalled: snapshotsInstalled,
            recoveryTicks: recoveryTicks, setup: setupSummary)
    }

    mutating func chaosStep() {
        let roll = random.int(in: 0...999)
        if roll < stormPerMille {
            faultStep()
            proposeMembershipAfterFailover()
            return
        }
        switch roll {
        // Deliveries and Ready handling must outpace what ticks generate (a heartbeat and
        // its answer per follower per tick), or the network backs up without bound.
        case 0..<490: deliverOne()
        case 490..<740: processOneReady()
        case 740..<800: tickAll()
        case 800..<900: propose()
        case 900..<955: read()
        case 955..<965: changeMembership()
        case 965..<970: transferLeadership()
        case 970..<990: faultStep()
        default: network.heal()
        }
        proposeMembershipAfterFailover()
    }

    /// Crashes, restarts and partitions, at the seed's rates (some seeds are crash-heavy).
    mutating func faultStep() {
        let roll = random.int(in: 0...99)
        if roll < crashPercent {
            // Half the crashes hit the leader: that is where the interesting windows are.
            if random.chance(50), let leaderID = currentLeader { crash(leaderID) } else { crashOne() }
        } else if roll < crashPercent + restartPercent {
            restartOne()
        } else if roll < crashPercent + restartPercent + 15 {
            partition()
        } else if roll < crashPercent + restartPercent + 30, let leaderID = currentLeader {
            network.partition([leaderID], from: ids.filter { $0 != leaderID })
        }
    }

    /// Operators retry membership changes right after a failover; some seeds do it often.
    mutating func proposeMembershipAfterFailover() {
        guard let leaderID = currentLeader, let term = nodes[leaderID]?.raft?.term, term != lastLeaderTerm else { return }
        lastLeaderTerm = term
        if random.chance(failoverMembershipPercent) { changeMembership() }
    }

    // MARK: Actions

    mutating func tickAll() {
        clock.advance()
        for id in ids {
            guard nodes[id]?.raft != nil else { continue }
            nodes[id]?.raft?.tick()
            observe(id)
        }
    }

    mutating func deliverOne() {
        guard let message = network.takeDeliverable(now: clock.now, random: &random, fifoPercent: 70) else {
            tickAll()
            return
        }
        deliver(message)
    }

    mutating func deliver(_ message: Message) {
        guard nodes[message.to]?.raft != nil, network.isConnected(message.from, message.to) else {
            reportLoss(of: message)
            return
        }
        nodes[message.to]?.raft?.step(message)
        observe(message.to)
        if message.kind == .installSnapshot, nodes[message.from]?.raft != nil {
            // The snapshot stream finished; a transport reports that to the sender.
            nodes[message.from]?.raft?.reportSnapshot(to: message.to, succeeded: true)
            observe(message.from)
        }
    }

    /// A transport learns that a stream broke; tell the sender as a real one would.
    mutating func reportLoss(of message: Message) {
        guard nodes[message.from]?.raft != nil else { return }
        switch message.kind {
        case .installSnapshot: nodes[message.from]?.raft?.reportSnapshot(to: message.to, succeeded: false)
        case .appendEntries: nodes[message.from]?.raft?.reportUnreachable(message.to)
        default: return
        }
        observe(message.from)
    }

    mutating func processOneReady() {
        let ready = aliveIDs.filter { nodes[$0]?.raft?.hasReady == true }
        guard !ready.isEmpty else {
            deliverOne()
            return
        }
        processReady(of: ready[random.int(in: 0...(ready.count - 1))])
    }

    /// The shell: persist, sync if asked, send, apply, advance, and sometimes compact.
    mutating func processReady(of id: NodeID) {
        guard var node = nodes[id], var raft = node.raft, raft.hasReady else { return }
        let ready = raft.ready()
        checker.observeAppend(ready.entries, at: raft)
        node.disk.write(ready)
        if ready.mustSync { node.disk.sync() }
        if let snapshot = ready.snapshot {
            (node.appliedIndex, node.digest) = Self.decodeStateMachine(snapshot.data)
            checker.resetNode(id, appliedIndex: node.appliedIndex, digest: node.digest)
            snapshotsInstalled += 1
        }
        var lost: [Message] = []
        for message in ready.messages where !network.send(message, now: clock.now, random: &random) {
            lost.append(message)
        }
        for entry in ready.committedEntries {
            node.digest = checker.observeApply(entry, at: id, proposal: Self.proposalID(of: entry))
            node.appliedIndex = entry.index
        }
        for readState in ready.readStates {
            let context = readState.context.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            checker.completeRead(context, index: readState.index, at: id)
            readsAnswered += 1
        }
        raft.advance(ready)
        if node.appliedIndex.rawValue >= node.disk.visible.firstIndex.rawValue + UInt64(compactEvery) {
            node.disk.compact(
                at: node.appliedIndex, configuration: raft.membership,
                data: Self.encodeStateMachine(index: node.appliedIndex, digest: node.digest))
        }
        node.raft = raft
        nodes[id] = node
        observe(id)
        for message in lost { reportLoss(of: message) }
    }

    mutating func propose() {
        let alive = aliveIDs
        guard !alive.isEmpty else { return }
        let target = (random.chance(70) ? currentLeader : nil) ?? alive[random.int(in: 0...(alive.count - 1))]
        let proposal = nextProposal
        nextProposal += 1
        let padding = random.int(in: 0...24)
        let payload = (0..<8).map { UInt8(truncatingIfNeeded: proposal >> (56 - 8 * $0)) } + [UInt8](repeating: 0xAB, count: padding)
        try? nodes[target]?.raft?.propose(payload)
        observe(target)
    }

    mutating func read() {
        let alive = aliveIDs
        guard !alive.isEmpty else { return }
        let target = alive[random.int(in: 0...(alive.count - 1))]
        let context = nextRead
        nextRead += 1
        checker.beginRead(context)
        if (try? nodes[target]?.raft?.readIndex(context: (0..<8).map { UInt8(truncatingIfNeeded: context >> (56 - 8 * $0)) })) != nil {
            readsRequested += 1
        }
        observe(target)
    }

    mutating func changeMembership() {
        guard let leaderID = currentLeader, let raft = nodes[leaderID]?.raft else { return }
        let membership = raft.membership
        var change: ConfigurationChange
        var newNode: NodeID?
        if let learner = membership.learners.first, random.chance(70) {
            change = ConfigurationChange(kind: .addVoter, node: learner)
        } else if membership.members.count < membersMax, random.chance(60) {
            let id = NodeID(nextNodeNumber)
            newNode = id
            // Usually learner first, then promotion; sometimes straight in as a voter.
            change = ConfigurationChange(kind: random.chance(directVoterPercent) ? .addVoter : .addLearner, node: id)
        } else if membership.voters.count > 3 {
            change = ConfigurationChange(kind: .removeNode, node: membership.voters[random.int(in: 0...(membership.voters.count - 1))])
        } else {
            return
        }
        do {
            try nodes[leaderID]?.raft?.proposeConfigurationChange(change)
        } catch {
            return
        }
        membershipChanges += 1
        if let newNode {
            nextNodeNumber += 1
            addNode(newNode, configuration: .empty)
        }
        observe(leaderID)
        if random.chance(isolateAfterMembershipPercent) {
            // Nemesis: the leader is cut off right after accepting a reconfiguration.
            network.partition([leaderID], from: ids.filter { $0 != leaderID })
        }
    }

    mutating func transferLeadership() {
        guard let leaderID = currentLeader, let raft = nodes[leaderID]?.raft else { return }
        let others = raft.membership.voters.filter { $0 != leaderID }
        guard !others.isEmpty else { return }
        nodes[leaderID]?.raft?.transferLeadership(to: others[random.int(in: 0...(others.count - 1))])
        observe(leaderID)
    }

    mutating func crashOne() {
        let alive = aliveIDs
        guard !alive.isEmpty else { return }
        crash(alive[random.int(in: 0...(alive.count - 1))])
    }

    mutating func restartOne() {
        let dead = ids.filter { nodes[$0]?.raft == nil }
        guard !dead.isEmpty else { return }
        let id = dead[random.int(in: 0...(dead.count - 1))]
        start(id)
        observe(id)
    }

    mutating func partition() {
        let all = ids
        guard all.count >= 2 else { return }
        if random.chance(50) {
            var side: [NodeID] = []
            for id in all where random.chance(40) { side.append(id) }
            let others = all.filter { !side.contains($0) }
            guard !side.isEmpty, !others.isEmpty else { return }
            network.partition(side, from: others)
        } else {
            // Asymmetric: one node hears others but is not heard (or the reverse).
            let node = all[random.int(in: 0...(all.count - 1))]
            let outbound = random.chance(50)
            for other in all where other != node {
                if outbound { network.cut(from: node, to: other) } else { network.cut(from: other, to: node) }
            }
        }
    }

    // MARK: Liveness

    /// Heals everything, then requires a leader and a freshly proposed entry applied on
    /// every member within `livenessTicksMax` ticks. Returns the ticks it took.
    mutating func checkLiveness() -> Int {
        network.heal()
        network.dropPercent = 0
        network.duplicatePercent = 0
        network.delayPercent = 0
        for id in ids { start(id) }
        let marker = nextProposal
        nextProposal += 1
        let payload = (0..<8).map { UInt8(truncatingIfNeeded: marker >> (56 - 8 * $0)) }
        var proposedTo: (NodeID, Term)?
        for tick in 0..<options.livenessTicksMax {
            tickAll()
            settle()
            guard checker.violations.isEmpty else { return tick }
            guard let leaderID = currentLeader, let leader = nodes[leaderID]?.raft else { continue }
            let stale = proposedTo.map { $0.0 != leaderID || $0.1 != leader.term } ?? true
            if stale || tick % SimulationOptions.electionTimeoutTicks == 0, !checker.markerApplied(marker, through: leader.commitIndex) {
                // Retried each election timeout: a transfer under way refuses proposals.
                if (try? nodes[leaderID]?.raft?.propose(payload)) != nil { proposedTo = (leaderID, leader.term) }
                settle()
            }
            let members = leader.membership.members
            let done = members.allSatisfy { member in
                guard let node = nodes[member] else { return true }
                return node.appliedIndex >= leader.commitIndex && node.appliedIndex >= checker.highestAcknowledgedIndex
                    && checker.markerApplied(marker, through: node.appliedIndex)
            }
            if done {
                for member in members where nodes[member] != nil { checker.checkNothingLost(at: member) }
                return tick
            }
        }
        checker.record("liveness", "no leader committed a new entry on every member within \(options.livenessTicksMax) ticks after healing; \(describeNodes())")
        return options.livenessTicksMax
    }

    /// Most messages delivered while settling after one tick: far above what a healthy
    /// group of seven exchanges per tick (a few heartbeats and appends each).
    static let settleDeliveriesMax = 2_000

    /// One line per node: role, term, indices, membership.
    func describeNodes() -> String {
        ids.map { id in
            guard let node = nodes[id], let raft = node.raft else { return "\(id) down" }
            var text = "\(id) \(raft.role.rawValue) term=\(raft.term) lead=\(raft.leader) commit=\(raft.commitIndex) applied=\(node.appliedIndex) last=\(raft.lastIndex) first=\(raft.firstIndex) [\(raft.membership)]"
            if raft.role == .leader {
                for member in raft.membership.members where member != id {
                    if let status = raft.replicationStatus(of: member) {
                        text += " \(member):\(status.state.rawValue)/\(status.match)/\(status.next)"
                    }
                }
            }
            return text
        }.joined(separator: "; ")
    }

    /// Delivers every message and handles every `Ready` until the group is quiet.
    mutating func settle() {
        var deliveries = 0
        for _ in 0..<200 {
            var progressed = false
            for id in aliveIDs where nodes[id]?.raft?.hasReady == true {
                processReady(of: id)
                progressed = true
            }
            while let message = network.takeDeliverable(now: clock.now, random: &random, fifoPercent: 100) {
                deliver(message)
                progressed = true
                deliveries += 1
                // A bounded amount of work per tick; a group that chatters past it is stuck.
                if deliveries >= Self.settleDeliveriesMax { return }
            }
            if !progressed || !checker.violations.isEmpty { return }
        }
    }
}
