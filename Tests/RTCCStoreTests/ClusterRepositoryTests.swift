import Foundation
import RTCCStore
import Testing

/// Nodes, camera leases and fencing on PostgreSQL (cluster mode runs only there).
@Suite struct ClusterRepositoryTests {
    func segment(_ camera: UUID, node: String, epoch: Int64, copy: Int = 0, from start: Date, seconds: Double) -> SegmentRecord {
        SegmentRecord(
            id: UUID(), cameraID: camera, stream: "main", path: "/rec/\(node)/\(UUID()).mp4", start: start, end: start.addingTimeInterval(seconds),
            bytes: 1000, frames: 25, gaps: [], codec: "avc1.4d401f", sha256: nil, node: node, epoch: epoch, copy: copy)
    }

    func keys(_ cameras: [UUID], copy: Int = 0) -> [LeaseKey] { cameras.map { LeaseKey(cameraID: $0, copy: copy) } }

    func held(_ epoch: Int64, copy: Int = 0) -> HeldLease { HeldLease(copy: copy, epoch: epoch) }

    /// A new camera that node a holds (epoch 1) and offers, and that node b takes over under pending epoch 2.
    func handOverUnderWay(in store: Store) async throws -> UUID {
        let camera = UUID()
        try await store.cluster.ensureLeases(keys([camera]))
        _ = try await store.cluster.claim(node: "a", among: keys([camera]), limit: 1, leaseSeconds: 30)
        try await store.cluster.offer(node: "a")
        #expect(try await store.cluster.takeOffered(node: "b", among: keys([camera]), limit: 1) == [camera: held(2)])
        return camera
    }

    @Test func aNodeNameIsRefusedWhileItsHolderHeartbeatsAndFreeOnceItStops() async throws {
        try await Backend.postgres.withStore { store in
            let first = UUID()
            try await store.cluster.register(name: "a", instance: first, capacity: 10, roles: ["record"], url: nil, staleAfter: 30)
            await #expect(throws: ClusterError.nameInUse("a")) {
                try await store.cluster.register(name: "a", instance: UUID(), capacity: 10, roles: ["record"], url: nil, staleAfter: 30)
            }
            #expect(try await store.cluster.heartbeat(name: "a", instance: first) == "active")
            try await store.cluster.stopped(name: "a", instance: first)
            let second = UUID()
            try await store.cluster.register(name: "a", instance: second, capacity: 10, roles: ["record"], url: nil, staleAfter: 30)
            // The first process is told its name was taken over.
            #expect(try await store.cluster.heartbeat(name: "a", instance: first) == nil)
            let nodes = try await store.cluster.nodes(staleAfter: 30)
            #expect(nodes.map(\.name) == ["a"])
            #expect(nodes.first?.instance == second)
            #expect(nodes.first?.alive == true)
        }
    }

    @Test func aNodeSilentForLongerThanTheStalenessIsNotAliveAndItsNameCanBeTaken() async throws {
        try await Backend.postgres.withStore { store in
            try await store.cluster.register(name: "a", instance: UUID(), capacity: 10, roles: ["record"], url: nil, staleAfter: 0.2)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await store.cluster.nodes(staleAfter: 0.2).first?.alive == false)
            try await store.cluster.register(name: "a", instance: UUID(), capacity: 10, roles: ["record"], url: nil, staleAfter: 0.2)
        }
    }

    @Test func claimsNeverShareACameraAndEachChangeOfOwnerRaisesTheEpoch() async throws {
        try await Backend.postgres.withStore { store in
            let cameras = (0..<20).map { _ in UUID() }
            try await store.cluster.ensureLeases(keys(cameras))
            try await store.cluster.ensureLeases(keys(cameras))  // idempotent
            // Three nodes claim at once, each up to 10.
            async let a = store.cluster.claim(node: "a", among: keys(cameras.shuffled()), limit: 10, leaseSeconds: 30)
            async let b = store.cluster.claim(node: "b", among: keys(cameras.shuffled()), limit: 10, leaseSeconds: 30)
            async let c = store.cluster.claim(node: "c", among: keys(cameras.shuffled()), limit: 10, leaseSeconds: 30)
            let claims = try await [a, b, c]
            let owners = claims.flatMap(\.keys)
            #expect(owners.count == Set(owners).count, "a camera was claimed twice")
            #expect(owners.count == 20)
            #expect(claims.allSatisfy { $0.count <= 10 })
            #expect(claims.flatMap(\.values).allSatisfy { $0 == held(1) })
            // Held leases are not claimable; renewal keeps them with their epoch.
            #expect(try await store.cluster.claim(node: "d", among: keys(cameras), limit: 20, leaseSeconds: 30).isEmpty)
            #expect(try await store.cluster.renew(node: "a", leaseSeconds: 30) == claims[0])
            // Released ones are, under a new epoch.
            let released = Array(claims[0].keys)
            try await store.cluster.release(node: "a", cameraIDs: released)
            #expect(try await store.cluster.renew(node: "a", leaseSeconds: 30).isEmpty)
            let taken = try await store.cluster.claim(node: "d", among: keys(cameras), limit: 20, leaseSeconds: 30)
            #expect(Set(taken.keys) == Set(released))
            #expect(taken.values.allSatisfy { $0 == held(2) })
            let leases = try await store.cluster.leases()
            #expect(leases.count == 20)
            #expect(leases.allSatisfy { $0.held })
        }
    }

    @Test func anExpiredLeaseIsClaimableAndItsOldOwnerRenewsNothing() async throws {
        try await Backend.postgres.withStore { store in
            let camera = UUID()
            try await store.cluster.ensureLeases(keys([camera]))
            // A 3 s lease: long enough that the next check runs before it ends even in a busy parallel test run.
            #expect(try await store.cluster.claim(node: "a", among: keys([camera]), limit: 1, leaseSeconds: 3) == [camera: held(1)])
            // Not expired yet: nobody else can claim it.
            #expect(try await store.cluster.claim(node: "b", among: keys([camera]), limit: 1, leaseSeconds: 30).isEmpty)
            try await Task.sleep(for: .milliseconds(3400))
            // Expired but not taken: its owner may still renew it.
            #expect(try await store.cluster.renew(node: "a", leaseSeconds: 0.2) == [camera: held(1)])
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await store.cluster.claim(node: "b", among: keys([camera]), limit: 1, leaseSeconds: 30) == [camera: held(2)])
            #expect(try await store.cluster.renew(node: "a", leaseSeconds: 30).isEmpty)
        }
    }

    @Test func anExpiredLeaseOfANodeThatStillHeartbeatsIsLeftToIt() async throws {
        try await Backend.postgres.withStore { store in
            let camera = UUID()
            let instance = UUID()
            try await store.cluster.register(name: "a", instance: instance, capacity: 10, roles: ["record"], url: nil, staleAfter: 3)
            try await store.cluster.ensureLeases(keys([camera]))
            _ = try await store.cluster.claim(node: "a", among: keys([camera]), limit: 1, leaseSeconds: 0.2)
            try await Task.sleep(for: .milliseconds(400))
            // Back from a database outage: its heartbeat is fresh, its lease not yet renewed.
            #expect(try await store.cluster.heartbeat(name: "a", instance: instance) == "active")
            #expect(try await store.cluster.claim(node: "b", among: keys([camera]), limit: 1, leaseSeconds: 3).isEmpty)
            #expect(try await store.cluster.renew(node: "a", leaseSeconds: 3) == [camera: held(1)])
        }
    }

    @Test func aSegmentIsFencedOnceAnotherNodeTookTheCameraBeforeItsEnd() async throws {
        try await Backend.postgres.withStore { store in
            let camera = UUID()
            try await store.cluster.ensureLeases(keys([camera]))
            #expect(try await store.cluster.claim(node: "a", among: keys([camera]), limit: 1, leaseSeconds: 0.1) == [camera: held(1)])
            let beforeTakeover = Date().addingTimeInterval(-2)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await store.cluster.claim(node: "b", among: keys([camera]), limit: 1, leaseSeconds: 30) == [camera: held(2)])
            let afterTakeover = Date().addingTimeInterval(1)

            // The old owner's footage from before the takeover is still stored (it was recorded while it held the lease).
            let early = segment(camera, node: "a", epoch: 1, from: beforeTakeover, seconds: 1)
            try await store.segments.upsert(early)
            // Anything of the old epoch ending after the takeover is refused, and the stored row is left as it was.
            var late = early
            late.end = afterTakeover
            late.frames = 99
            await #expect(throws: SegmentFenced.self) { try await store.segments.upsert(late) }
            let stored = try await store.segments.list(cameraID: camera, from: beforeTakeover.addingTimeInterval(-1), until: afterTakeover)
            #expect(stored.map(\.frames) == [25])
            // An epoch that was never granted to the node is refused; the new owner's footage is stored.
            await #expect(throws: SegmentFenced.self) {
                try await store.segments.upsert(segment(camera, node: "a", epoch: 2, from: afterTakeover, seconds: 1))
            }
            let current = segment(camera, node: "b", epoch: 2, from: afterTakeover, seconds: 1)
            try await store.segments.upsert(current)
            let rows = try await store.segments.list(cameraID: camera, from: afterTakeover, until: afterTakeover.addingTimeInterval(1))
            #expect(rows.map(\.node) == ["b"])
            #expect(rows.map(\.epoch) == [2])
            // Each node repairs only its own open segments.
            #expect(try await store.segments.unsealed(node: "b").map(\.id) == [current.id])
            #expect(try await store.segments.unsealed(node: "a").map(\.id) == [early.id])
        }
    }

    @Test func aHandOverLetsTheSuccessorRecordFirstAndTheOwnerSealAfter() async throws {
        try await Backend.postgres.withStore { store in
            let camera = UUID()
            try await store.cluster.ensureLeases(keys([camera]))
            #expect(try await store.cluster.claim(node: "a", among: keys([camera]), limit: 1, leaseSeconds: 30) == [camera: held(1)])
            // Nothing is offered yet: no successor can take it.
            #expect(try await store.cluster.takeOffered(node: "b", among: keys([camera]), limit: 1).isEmpty)
            #expect(try await store.cluster.offer(node: "a") == 1)
            #expect(try await store.cluster.takeOffered(node: "b", among: keys([camera]), limit: 1) == [camera: held(2)])
            #expect(try await store.cluster.takeOffered(node: "c", among: keys([camera]), limit: 1).isEmpty, "one successor at a time")
            // Not ready until the successor has stored a segment under its pending epoch (it records the camera).
            #expect(try await store.cluster.incoming(node: "b") == [camera: held(2)])
            #expect(try await store.cluster.readyHandovers(node: "a").isEmpty)
            let successorStart = Date().addingTimeInterval(-1)
            try await store.segments.upsert(segment(camera, node: "b", epoch: 2, from: successorStart, seconds: 0.5))
            #expect(try await store.cluster.incoming(node: "b") == [camera: held(2)])
            #expect(try await store.cluster.readyHandovers(node: "a") == [camera])
            // The owner still holds the lease (and renews it) while its recorder stops; its last segment ends after the
            // successor's first began (the overlap) and is stored.
            #expect(try await store.cluster.renew(node: "a", leaseSeconds: 30) == [camera: held(1)])
            try await store.segments.upsert(segment(camera, node: "a", epoch: 1, from: successorStart.addingTimeInterval(-3), seconds: 3.5))
            #expect(try await store.cluster.completeHandover(node: "a", cameraID: camera, leaseSeconds: 30))
            #expect(try await store.cluster.renew(node: "a", leaseSeconds: 30).isEmpty)
            #expect(try await store.cluster.renew(node: "b", leaseSeconds: 30) == [camera: held(2)])
            #expect(try await store.cluster.incoming(node: "b").isEmpty)
            // Once the new epoch has begun, the old owner cannot store footage ending after it.
            await #expect(throws: SegmentFenced.self) {
                try await store.segments.upsert(segment(camera, node: "a", epoch: 1, from: Date(), seconds: 1))
            }
        }
    }

    @Test func aSuccessorWhoseOwnerDiesMidHandOverAdoptsTheCameraUnderItsPendingEpoch() async throws {
        try await Backend.postgres.withStore { store in
            let camera = UUID()
            let (owner, successor) = (UUID(), UUID())
            try await store.cluster.register(name: "a", instance: owner, capacity: 10, roles: ["record"], url: nil, staleAfter: 2)
            try await store.cluster.register(name: "b", instance: successor, capacity: 10, roles: ["record"], url: nil, staleAfter: 2)
            try await store.cluster.ensureLeases(keys([camera]))
            // A 5 s lease: the hand-over needs it unexpired, even in a busy parallel test run.
            let claimed = ContinuousClock.now
            _ = try await store.cluster.claim(node: "a", among: keys([camera]), limit: 1, leaseSeconds: 5)
            try await store.cluster.offer(node: "a")
            #expect(try await store.cluster.takeOffered(node: "b", among: keys([camera]), limit: 1) == [camera: held(2)])
            // b records the camera under its pending epoch; a stops its recorder and dies before completing.
            let successorStart = Date().addingTimeInterval(-1)
            try await store.segments.upsert(segment(camera, node: "b", epoch: 2, from: successorStart, seconds: 0.5))
            #expect(try await store.cluster.adoptOrphanedHandovers(node: "b", leaseSeconds: 3).isEmpty, "a's lease runs")
            // a stops heartbeating: after its lease ends it is dead (silent for over 3 s).
            try await Task.sleep(until: claimed + .seconds(6))
            #expect(try await store.cluster.heartbeat(name: "b", instance: successor) == "active")
            // The camera is left to its live successor: a claim would fence off what b recorded under the pending epoch.
            #expect(try await store.cluster.claim(node: "c", among: keys([camera]), limit: 1, leaseSeconds: 3).isEmpty)
            #expect(try await store.cluster.adoptOrphanedHandovers(node: "c", leaseSeconds: 3).isEmpty)
            #expect(try await store.cluster.adoptOrphanedHandovers(node: "b", leaseSeconds: 3) == [camera: held(2)])
            #expect(try await store.cluster.incoming(node: "b").isEmpty)
            #expect(try await store.cluster.renew(node: "b", leaseSeconds: 30) == [camera: held(2)])
            #expect(try await store.cluster.renew(node: "a", leaseSeconds: 30).isEmpty)
            // The epoch began at the adoption: b's footage goes on being stored, a's ending after it is refused.
            try await store.segments.upsert(segment(camera, node: "b", epoch: 2, from: successorStart.addingTimeInterval(0.5), seconds: 2))
            await #expect(throws: SegmentFenced.self) {
                try await store.segments.upsert(segment(camera, node: "a", epoch: 1, from: Date(), seconds: 1))
            }
            let rows = try await store.segments.list(cameraID: camera, from: successorStart, until: Date().addingTimeInterval(5))
            #expect(rows.map(\.node) == ["b", "b"])
        }
    }

    @Test func aSuccessorThatLeavesGivesUpTheHandOversItWasTaking() async throws {
        try await Backend.postgres.withStore { store in
            let camera = try await handOverUnderWay(in: store)
            try await store.segments.upsert(segment(camera, node: "b", epoch: 2, from: Date().addingTimeInterval(-1), seconds: 0.5))
            #expect(try await store.cluster.incoming(node: "b") == [camera: held(2)])
            // b stops (SIGTERM) while taking the camera over: the owner keeps it and no hand-over is left to complete.
            try await store.cluster.release(node: "b", cameraIDs: nil)
            #expect(try await store.cluster.incoming(node: "b").isEmpty)
            #expect(try await store.cluster.readyHandovers(node: "a").isEmpty)
            #expect(try await store.cluster.completeHandover(node: "a", cameraID: camera, leaseSeconds: 30) == false)
            #expect(try await store.cluster.renew(node: "a", leaseSeconds: 30) == [camera: held(1)])
        }
    }

    @Test func anAbandonedHandOverLeavesNoEpochToReuse() async throws {
        try await Backend.postgres.withStore { store in
            let camera = try await handOverUnderWay(in: store)
            // b never registered as a live node: a abandons the hand-over; a later owner gets a fresh epoch.
            try await store.cluster.abandonHandoversToDeadNodes(node: "a", staleAfter: 3)
            #expect(try await store.cluster.incoming(node: "b").isEmpty)
            try await store.cluster.release(node: "a", cameraIDs: nil)
            #expect(try await store.cluster.claim(node: "c", among: keys([camera]), limit: 1, leaseSeconds: 30) == [camera: held(3)])
        }
    }

    @Test func aRedundantCameraIsHeldOnceByEachOfTwoNodesAndEachCopyIsFencedOnItsOwn() async throws {
        try await Backend.postgres.withStore { store in
            let camera = UUID()
            try await store.cluster.ensureLeases(keys([camera]) + keys([camera], copy: 1))
            #expect(try await store.cluster.claim(node: "a", among: keys([camera]), limit: 5, leaseSeconds: 30) == [camera: held(1)])
            // The node that holds the first copy never gets the second: the two copies are on two nodes.
            #expect(try await store.cluster.claim(node: "a", among: keys([camera], copy: 1), limit: 5, leaseSeconds: 30).isEmpty)
            #expect(try await store.cluster.claim(node: "b", among: keys([camera], copy: 1), limit: 5, leaseSeconds: 30) == [camera: held(1, copy: 1)])
            #expect(try await store.cluster.renew(node: "b", leaseSeconds: 30) == [camera: held(1, copy: 1)])
            let leases = try await store.cluster.leases()
            #expect(leases.map(\.copy) == [0, 1])
            #expect(leases.map(\.node) == ["a", "b"])

            // The first copy moves from a to c: b, holding the second copy, may not take it.
            #expect(try await store.cluster.offer(node: "a") == 1)
            #expect(try await store.cluster.takeOffered(node: "b", among: keys([camera]), limit: 1).isEmpty)
            #expect(try await store.cluster.takeOffered(node: "c", among: keys([camera]), limit: 1) == [camera: held(2)])
            let start = Date().addingTimeInterval(-1)
            try await store.segments.upsert(segment(camera, node: "c", epoch: 2, from: start, seconds: 0.5))
            #expect(try await store.cluster.incoming(node: "c") == [camera: held(2)])
            #expect(try await store.cluster.completeHandover(node: "a", cameraID: camera, leaseSeconds: 30))
            // The segments below end after c took the lease, however long the steps above took on a busy machine.
            let span = Date().timeIntervalSince(start) + 2

            // Copy 0's new epoch fences a's footage of copy 0 only; b's copy 1 footage over the same time is stored.
            await #expect(throws: SegmentFenced.self) {
                try await store.segments.upsert(segment(camera, node: "a", epoch: 1, from: start, seconds: span))
            }
            try await store.segments.upsert(segment(camera, node: "b", epoch: 1, copy: 1, from: start, seconds: span))
            // A copy's epoch is not the other's: b's epoch 1 of copy 0 was never granted.
            await #expect(throws: SegmentFenced.self) {
                try await store.segments.upsert(segment(camera, node: "b", epoch: 1, copy: 0, from: start, seconds: span))
            }
            let rows = try await store.segments.list(cameraID: camera, from: start, until: start.addingTimeInterval(span))
            #expect(Set(rows.map { "\($0.node ?? "-")/\($0.copy)" }) == ["c/0", "b/1"])
        }
    }

    @Test func clusterOperationsOnSQLiteSayTheyNeedPostgreSQL() async throws {
        try await Backend.sqlite.withStore { store in
            await #expect(throws: ClusterError.needsPostgres) {
                try await store.cluster.register(name: "a", instance: UUID(), capacity: 1, roles: ["record"], url: nil, staleAfter: 3)
            }
        }
    }
}
